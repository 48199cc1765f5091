/**
 * Routes with Go skywire 2024 visors (issue 11):
 *
 * - (b) two Go visors ping each other (`skywire-cli visor ping`: a loop route out through the
 *   other visor and back) using only the services of `skywire up`: our dmsg discovery, our dmsg
 *   server with the setup node inside it (their `route_setup_nodes` entry is the server's own
 *   key), our transport discovery and our route finder. Over a dmsg transport and over stcpr.
 *
 * Binaries: `SKYWIRE_GO_REF_BIN=/dir` with `skywire-visor` and `skywire-cli`; without them the
 * test is ignored with the reason. Figures (ping latencies) are printed as one JSON line.
 */
import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import { createLogger, type LogLevel } from "../../mod/log/mod.ts";
import { startUp } from "../../services/up/mod.ts";
import { tempDir } from "../_util/temp_dir.ts";
import { type GoVisor, goVisorSkip, startGoVisor } from "./_go_visor.ts";

const bin = Deno.env.get("SKYWIRE_GO_REF_BIN");
const skip = await goVisorSkip(bin);
if (skip) console.log(`route interop tests ignored: ${skip}`);

const quiet = (name: string) =>
  createLogger({
    level: (Deno.env.get("SKYWIRE_TEST_LOG") ?? "fatal") as LogLevel,
    component: name,
  });

Deno.test({
  name:
    "interop (b): two Go visors ping each other through skywire up's setup node and route finder",
  ignore: skip !== undefined,
  async fn() {
    await using dir = await tempDir("skywire-route-interop-");
    const up = await startUp({
      dataDir: join(dir.path, "up"),
      discoveryPort: 0,
      serverPort: 0,
      transportDiscoveryPort: 0,
      addressResolverPort: 0,
      routeFinderPort: 0,
      cliPort: 0,
      uiPort: 0,
      logger: quiet("up"),
    });
    const goVisors: GoVisor[] = [];
    try {
      const services = {
        dmsgDiscovery: up.info.discovery,
        transportDiscovery: up.info.transport_discovery,
        addressResolver: up.info.address_resolver,
        routeFinder: up.info.route_finder,
        routeSetupNodes: [up.info.setup_node],
      };
      const [a, b] = await Promise.all(
        ["go-a", "go-b"].map((name) => startGoVisor({ bin: bin!, dir: dir.path, name, services })),
      );
      goVisors.push(a, b);
      const figures: Record<string, number[]> = {};
      for (const type of ["dmsg", "stcpr"]) {
        await a.removeAll();
        const { tp } = await a.addTransport(b.pk, type);
        assertEquals(tp.type, type);
        // Go's ping takes any loop route: with one transport it must run through the peer.
        assertEquals((await a.transports()).map((t) => t.id), [tp.id]);
        figures[`${type} a→b ms`] = await a.ping(b.pk, 3);
        figures[`${type} b→a ms`] = await b.ping(a.pk, 3);
      }
      for (const latencies of Object.values(figures)) {
        assert(latencies.every((ms) => ms > 0 && ms < 1_000), JSON.stringify(figures));
      }
      // Our server was their only setup node, reached under its own key.
      for (const visor of [a, b]) {
        assert(!visor.process.output.includes("failed to dial to setup node"));
      }
      console.log(JSON.stringify({ interop: "route (b)", ...figures }));
    } finally {
      await Promise.all(goVisors.map((v) => v[Symbol.asyncDispose]()));
      await up.close();
    }
  },
});
