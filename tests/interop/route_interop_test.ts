/**
 * Routes with Go skywire 2024 visors (issue 11):
 *
 * - (b) two Go visors ping each other (`skywire-cli visor ping`: a loop route out through the
 *   other visor and back) using only the services of `skywire up`: our dmsg discovery, our dmsg
 *   server with the setup node inside it (their `route_setup_nodes` entry is the server's own
 *   key), our transport discovery and our route finder. Over a dmsg transport and over stcpr.
 *
 * - (c) our visor pings a Go visor through Go's own services: Go 2024's dmsg discovery and
 *   server, Go's transport discovery and route finder (sharing a private PostgreSQL, as they
 *   must: Go's route finder reads the transport discovery's table), uptime tracker and
 *   `setup-node`; and the Go visor pings ours the same way. Our route finder, reading Go's
 *   transport discovery over HTTP, answers the same requests as Go's route finder.
 *
 * Binaries: `SKYWIRE_GO_REF_BIN=/dir` with `skywire-visor` and `skywire-cli` (and for (c)
 * `dmsg-discovery-2024`, `dmsg-server-2024`, `transport-discovery`, `route-finder`,
 * `uptime-tracker`, `setup-node`, plus `redis-server` and PostgreSQL 15 on the machine); without
 * them a test is ignored with the reason. Figures (ping latencies) are printed as JSON lines.
 */
import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import { generateKeyPair, PubKey } from "../../mod/cipher/mod.ts";
import { generateConfig } from "../../mod/config/mod.ts";
import { createLogger, type LogLevel } from "../../mod/log/mod.ts";
import { startRouteFinder, TpdTransportSource } from "../../services/route_finder/mod.ts";
import { startUp } from "../../services/up/mod.ts";
import { startVisor, type Visor } from "../../services/visor/mod.ts";
import { tempDir } from "../_util/temp_dir.ts";
import { ChildProcess, freePort, redisAvailable, startRedis } from "./_go_ref.ts";
import { type GoVisor, goVisorSkip, startGoVisor } from "./_go_visor.ts";
import { postgresSkip, startPostgres } from "./_postgres.ts";

const bin = Deno.env.get("SKYWIRE_GO_REF_BIN");
const skip = await goVisorSkip(bin);
const GO_SERVICES = [
  "dmsg-discovery-2024",
  "dmsg-server-2024",
  "transport-discovery",
  "route-finder",
  "uptime-tracker",
  "setup-node",
];
const goServicesSkip = skip ?? await (async () => {
  for (const name of GO_SERVICES) {
    if (!(await Deno.stat(join(bin!, name)).catch(() => undefined))?.isFile) {
      return `SKYWIRE_GO_REF_BIN=${bin} lacks ${name}`;
    }
  }
  return await redisAvailable() ?? await postgresSkip();
})();
if (skip) console.log(`route interop tests ignored: ${skip}`);
else if (goServicesSkip) console.log(`route interop test (c) ignored: ${goServicesSkip}`);

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

/** A Go service on a free port, once its `/health` answers. */
async function goService(name: string, args: string[], env?: Record<string, string>) {
  const port = freePort();
  const child = new ChildProcess(join(bin!, name), ["-a", `127.0.0.1:${port}`, ...args], {
    name,
    env,
  });
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 30_000;
  while (
    !(await fetch(`${url}/health`).then((r) => r.body?.cancel().then(() => r.ok), () => false))
  ) {
    if (Date.now() > end) {
      await child[Symbol.asyncDispose]();
      throw new Error(`${name} did not answer; output:\n${child.output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return Object.assign(child, { url });
}

Deno.test({
  name: "interop (c): our visor pings a Go visor through Go's setup node and route finder",
  ignore: goServicesSkip !== undefined,
  async fn() {
    await using dir = await tempDir("skywire-route-interop-go-");
    const d = dir.path;
    await using redis = await startRedis();
    await using pg = await startPostgres();
    // Go 2024's dmsg network.
    const serverConf = join(d, "dmsg-server.json");
    await new ChildProcess(join(bin!, "dmsg-server-2024"), ["config", "gen", "-o", serverConf])
      .exit();
    const server = JSON.parse(await Deno.readTextFile(serverConf));
    const serverPort = freePort();
    await using discovery = await goService("dmsg-discovery-2024", [
      "-t",
      "--redis",
      redis.url,
      "--official-servers",
      server.public_key,
    ]);
    Object.assign(server, {
      discovery: discovery.url,
      public_address: `127.0.0.1:${serverPort}`,
      local_address: `127.0.0.1:${serverPort}`,
      health_endpoint_address: `127.0.0.1:${freePort()}`,
    });
    await Deno.writeTextFile(serverConf, JSON.stringify(server));
    await using dmsgServer = new ChildProcess(
      join(bin!, "dmsg-server-2024"),
      ["start", serverConf],
      {
        name: "dmsg-server",
      },
    );
    await dmsgServer.line(/Accepting sessions/);
    // Go's transport discovery and route finder on one database, an uptime tracker, a setup node.
    const pgFlags = ["--pg-host", "127.0.0.1", "--pg-port", String(pg.port)];
    await using tpd = await goService(
      "transport-discovery",
      ["--redis", redis.url, ...pgFlags],
      pg.env,
    );
    await using rf = await goService("route-finder", pgFlags, pg.env);
    await using ut = await goService("uptime-tracker", [
      "-t",
      "-p",
      `127.0.0.1:${freePort()}`,
      "-m",
      "",
      "--store-data-path",
      join(d, "ut"),
    ]);
    const sn = generateKeyPair();
    const snConf = join(d, "setup-node.json");
    await Deno.writeTextFile(
      snConf,
      JSON.stringify({
        public_key: sn.pk.hex(),
        secret_key: sn.sk.hex(),
        dmsg: { discovery: discovery.url, servers: [], sessions_count: 1 },
        transport_discovery: tpd.url,
        log_level: "info",
      }),
    );
    await using setupNode = new ChildProcess(join(bin!, "setup-node"), [snConf], {
      name: "setup-node",
    });
    await setupNode.line(/Accepting dmsg streams/, 30_000);

    const services = {
      dmsgDiscovery: discovery.url,
      transportDiscovery: tpd.url,
      addressResolver: `http://127.0.0.1:${freePort()}`,
      uptimeTracker: ut.url,
      routeFinder: rf.url,
      routeSetupNodes: [sn.pk.hex()],
    };
    await using go = await startGoVisor({ bin: bin!, dir: d, name: "go", services });
    const keys = generateKeyPair();
    const config = generateConfig({
      keys,
      localPath: join(d, "ours"),
      services: {
        dmsgDiscovery: discovery.url,
        transportDiscovery: tpd.url,
        addressResolver: services.addressResolver,
        routeFinder: rf.url,
        routeSetupNodes: [sn.pk.hex()],
        transportSetup: [],
      },
    });
    config.dmsg.servers = [{
      static: server.public_key,
      server: { address: server.public_address },
    }];
    config.cli_addr = "";
    config.updater = { ...config.updater, enabled: false };
    let ours: Visor | undefined;
    try {
      ours = await startVisor({ config, pk: keys.pk, sk: keys.sk, logger: quiet("ours") });
      await ours.ready(AbortSignal.timeout(20_000));
      // One dmsg transport, registered in Go's transport discovery (its Postgres table).
      const tp = await ours.transports.manager.saveTransport(PubKey.fromHex(go.pk), "dmsg");
      assertEquals((await go.transports()).map((t) => t.id), [tp.id]);
      // Our route finder over Go's transport discovery answers as Go's route finder does.
      const ourRf = await startRouteFinder({
        source: new TpdTransportSource(tpd.url),
        logger: quiet("route_finder"),
        ipRateLimit: false,
      });
      try {
        const [o, g] = [ours.pk.hex(), go.pk];
        for (
          const body of [
            { Edges: [`${o}:${g}`, `${g}:${o}`], Opts: { MinHops: 0, MaxHops: 50 } },
            { Edges: [`${o}:${o}`], Opts: { MinHops: 0, MaxHops: 2 } },
            { Edges: [`${o}:${generateKeyPair().pk.hex()}`], Opts: { MinHops: 0, MaxHops: 50 } },
          ]
        ) {
          const answers = await Promise.all([rf.url, ourRf.url].map(async (url) => {
            const res = await fetch(`${url}/routes`, {
              method: "POST",
              body: JSON.stringify(body),
            });
            return { status: res.status, json: await res.json() };
          }));
          assertEquals(answers[1].status, answers[0].status, JSON.stringify(answers));
          if (answers[0].status === 200) assertEquals(answers[1].json, answers[0].json);
        }
      } finally {
        await ourRf.close();
      }
      const ping = await ours.routing.pinger.ping(PubKey.fromHex(go.pk), { tries: 3 });
      assertEquals(ping.latenciesMs.length, 3);
      assertEquals(ping.hops, 2);
      const back = await go.ping(ours.pk.hex(), 3);
      // Go's setup node did both: it logs each request it processed.
      const processed = setupNode.output.match(/Processing request/g)?.length ?? 0;
      assert(processed >= 2, setupNode.output.slice(-2_000));
      console.log(JSON.stringify({
        interop: "route (c)",
        "ours→go ms": ping.latenciesMs.map((ms) => Math.round(ms * 100) / 100),
        "go→ours ms": back,
      }));
    } finally {
      await ours?.close();
    }
  },
});
