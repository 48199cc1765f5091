/**
 * skysocks with Go skywire 2024 (issue 14), on the services of `skywire up`, each through a
 * real route (route finder and setup node of `up`, an stcpr transport):
 *
 * - Go's skysocks-client (app of a Go visor) → our skysocks (up's exit visor): real curl through
 *   Go's SOCKS5 port;
 * - our skysocks-client (up's visor) → Go's skysocks (with `--passcode`, checked by Go's
 *   armon/go-socks5 on the username/password our client relays end to end): real curl.
 *
 * Binaries: `SKYWIRE_GO_REF_BIN=/dir` with `skywire-visor` and `skywire-cli`, and the Go apps
 * `skysocks` and `skysocks-client` (built from the same tree's `cmd/apps/...`) in
 * `SKYWIRE_GO_APPS_BIN=/dir` (default: the same directory); without them the test is ignored
 * with the reason. Figures are printed as one JSON line.
 */
import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import { PubKey } from "../../mod/cipher/mod.ts";
import { createLogger, type LogLevel } from "../../mod/log/mod.ts";
import { startUp } from "../../services/up/mod.ts";
import { curl, hasCurl } from "../_util/curl.ts";
import { startHttpTarget } from "../_util/http_target.ts";
import { tempDir } from "../_util/temp_dir.ts";
import { freePort } from "./_go_ref.ts";
import { type GoVisor, goVisorSkip, startGoVisor } from "./_go_visor.ts";

const bin = Deno.env.get("SKYWIRE_GO_REF_BIN");
const apps = Deno.env.get("SKYWIRE_GO_APPS_BIN") ?? bin;
const skip = await goVisorSkip(bin) ?? await (async () => {
  if (!hasCurl) return "curl is not installed";
  for (const name of ["skysocks", "skysocks-client"]) {
    if (!(await Deno.stat(join(apps!, name)).catch(() => undefined))?.isFile) {
      return `no Go ${name} app in ${apps} (set SKYWIRE_GO_APPS_BIN)`;
    }
  }
  return undefined;
})();
if (skip) console.log(`skysocks interop test ignored: ${skip}`);

const quiet = (name: string) =>
  createLogger({
    level: (Deno.env.get("SKYWIRE_TEST_LOG") ?? "fatal") as LogLevel,
    component: name,
  });
const text = new TextDecoder();

async function eventually<T>(what: string, attempt: () => Promise<T | undefined>, ms = 60_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

Deno.test({
  name: "interop: Go skysocks-client → our skysocks, and our skysocks-client → Go skysocks",
  ignore: skip !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using dir = await tempDir("skywire-skysocks-interop-");
    await using target = await startHttpTarget();
    const up = await startUp({
      dataDir: join(dir.path, "up"),
      discoveryPort: 0,
      serverPort: 0,
      transportDiscoveryPort: 0,
      addressResolverPort: 0,
      routeFinderPort: 0,
      cliPort: 0,
      exitCliPort: 0,
      socksPort: 0,
      uiPort: 0,
      logger: quiet("up"),
    });
    let goVisor: GoVisor | undefined;
    const figures: Record<string, number> = {};
    try {
      const exitPk = up.info.exit_visor.pk;
      const goSocks = `127.0.0.1:${freePort()}`;
      goVisor = await startGoVisor({
        bin: bin!,
        dir: dir.path,
        name: "go",
        services: {
          dmsgDiscovery: up.info.discovery,
          transportDiscovery: up.info.transport_discovery,
          addressResolver: up.info.address_resolver,
          routeFinder: up.info.route_finder,
          routeSetupNodes: [up.info.setup_node],
        },
        edit: (conf) => {
          conf.launcher.bin_path = apps;
          conf.launcher.apps = [
            {
              name: "skysocks",
              binary: "skysocks",
              args: ["--passcode", "open sesame"],
              auto_start: true,
              port: 3,
            },
            {
              name: "skysocks-client",
              binary: "skysocks-client",
              args: ["--srv", exitPk, "--addr", goSocks],
              auto_start: true,
              port: 13,
            },
          ];
        },
      });
      const go = goVisor;
      // stcpr transports from the Go visor to both of ours (theirs resolve at up's resolver).
      for (const pk of [exitPk, up.info.visor.pk]) {
        await eventually(
          "the Go visor's stcpr binding",
          () =>
            up.visor.transports.resolver!.resolve(PubKey.fromHex(go.pk)).then(
              () => true,
              () => undefined,
            ),
        );
        await go.addTransport(pk, "stcpr");
      }

      // Go's client → our skysocks on the exit visor (Go redials its server every second).
      const url = `http://127.0.0.1:${target.port}/hello`;
      let started = performance.now();
      const viaGoClient = await eventually("a request through Go's skysocks-client", async () => {
        const result = await curl(["--socks5-hostname", goSocks, url], 20);
        return result.code === 0 ? result : undefined;
      });
      figures.go_client_first_request_ms = Math.round(performance.now() - started);
      assertEquals(text.decode(viaGoClient.body), `hello from 127.0.0.1:${target.port}`);
      await eventually("our skysocks saw it", () =>
        Promise.resolve(
          ((up.exitVisor.apps.status("skysocks").info as { served: number }).served > 0) ||
            undefined,
        ));
      started = performance.now();
      for (let i = 0; i < 20; i++) {
        const again = await curl(["--socks5-hostname", goSocks, "-H", "Connection: close", url]);
        assertEquals(again.code, 0, again.stderr);
      }
      figures.go_client_request_ms = Math.round((performance.now() - started) / 20 * 10) / 10;

      // Our client → Go's skysocks, with Go's passcode given as the SOCKS password (up's client
      // pointed at Go's visor instead of up's exit, as `proxy start --pk` does).
      await up.visor.apps.stop("skysocks-client");
      const state = await up.visor.apps.start("skysocks-client", {
        args: ["-srv", go.pk, "-addr", "127.0.0.1:0"],
      });
      const ourSocks = state.proxyAddress!;
      started = performance.now();
      await eventually("our session to Go's skysocks", () =>
        Promise.resolve(
          (up.visor.apps.status("skysocks-client").info as { session: { state: string } })
                .session.state === "up" || undefined,
        ));
      figures.our_client_session_ms = Math.round(performance.now() - started);
      const withPasscode = await curl([
        "--socks5-hostname",
        ourSocks,
        "--proxy-user",
        "anyone:open sesame",
        url,
      ]);
      assertEquals(withPasscode.code, 0, withPasscode.stderr);
      assertEquals(text.decode(withPasscode.body), `hello from 127.0.0.1:${target.port}`);
      const without = await curl(["--socks5-hostname", ourSocks, url]);
      assert(without.code !== 0, "Go's skysocks wants the passcode");
      const wrong = await curl(["--socks5-hostname", ourSocks, "--proxy-user", "a:b", url]);
      assert(wrong.code !== 0, "and refuses a wrong one");
      // The status page is ours; the negotiation before it is the exit's (its passcode).
      const status = await curl([
        "--socks5-hostname",
        ourSocks,
        "--proxy-user",
        "x:open sesame",
        "http://status.skysocks/json",
      ]);
      assertEquals(JSON.parse(text.decode(status.body)).server, go.pk);
      console.log(JSON.stringify({ skysocks_interop: figures }));
    } finally {
      await goVisor?.[Symbol.asyncDispose]();
      await up.close();
    }
  },
});
