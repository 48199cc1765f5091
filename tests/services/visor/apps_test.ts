/**
 * The visor's apps end to end in this process: skysocks on one visor, skysocks-client on
 * another, the SOCKS session over a route set up by our dmsg server, real curl through it, and
 * `skywire cli visor app|proxy` through the control endpoint.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { generateKeyPair } from "../../../mod/cipher/mod.ts";
import type { SkywireConfig } from "../../../mod/config/mod.ts";
import { runCommandLine } from "../../../mod/cli/mod.ts";
import { rootCommand } from "../../../services/cli/mod.ts";
import { serveRouteSetup } from "../../../services/dmsg_server/route_setup.ts";
import type { Visor } from "../../../services/visor/mod.ts";
import { curl, hasCurl } from "../../_util/curl.ts";
import { startHttpTarget } from "../../_util/http_target.ts";
import { serveTestRouteFinder } from "./_route_finder.ts";
import { eventually, visorNetwork } from "./_visors.ts";

async function skywire(args: string[]) {
  const out: string[] = [], err: string[] = [];
  const code = await runCommandLine(rootCommand(), args, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/**
 * A visor network whose dmsg server also sets up routes, and a route finder over the
 * transports of the visors pushed to `visors`; `routing` points a visor's config at both.
 */
async function routedNetwork() {
  const net = await visorNetwork();
  const setup = serveRouteSetup(net.server);
  const visors: Visor[] = [];
  const rf = serveTestRouteFinder(() => visors.map((v) => v.transports.manager));
  return {
    net,
    visors,
    routing(config: SkywireConfig) {
      config.routing.route_setup_nodes = [net.server.pk.hex()];
      config.routing.route_finder = rf.url;
    },
    async [Symbol.asyncDispose]() {
      await setup.close();
      await rf[Symbol.asyncDispose]();
      await net[Symbol.asyncDispose]();
    },
  };
}

Deno.test({
  name: "visor apps: skysocks and skysocks-client over a route, driven by skywire cli visor",
  ignore: !hasCurl,
  async fn() {
    await using target = await startHttpTarget();
    await using routed = await routedNetwork();
    const { net, visors, routing } = routed;
    const exitKeys = generateKeyPair();
    const exit = await net.visor({
      keys: exitKeys,
      edit: (config) => {
        routing(config);
        config.launcher.apps = [{ name: "skysocks", auto_start: true, port: 3 }];
      },
    });
    const user = await net.visor({
      edit: (config) => {
        routing(config);
        config.launcher.apps = [{
          name: "skysocks-client",
          args: ["-addr", ":1080"],
          auto_start: false,
          port: 13,
        }];
      },
    });
    visors.push(exit, user);
    await user.api.transports.add({ remote_pk: exit.pk.hex(), type: "dmsg" });
    await eventually(
      "exit holds the transport",
      () => exit.transports.manager.transports().length === 1,
    );
    const rpc = (v: Visor) => ["--rpc", v.control!.address];

    const exitApps = await skywire(["cli", "visor", "app", "ls", "--json", ...rpc(exit)]);
    assertEquals(exitApps.code, 0, exitApps.err);
    assertEquals(JSON.parse(exitApps.out), [
      { app: "skysocks", port: 3, auto_start: true, status: "running", detailed_status: "" },
    ]);
    const ls = await skywire(["cli", "visor", "app", "ls", ...rpc(user)]);
    assertMatch(ls.out, /^app\s+port\s+auto_start\s+status\s+detailed_status\n/);
    assertMatch(ls.out, /skysocks-client\s+13\s+false\s+stopped/);

    const start = await skywire([
      "cli",
      "visor",
      "proxy",
      "start",
      "--pk",
      exit.pk.hex(),
      "--addr",
      "127.0.0.1:0",
      "--json",
      ...rpc(user),
    ]);
    assertEquals(start.code, 0, start.err + start.out);
    const state = JSON.parse(start.out);
    assertEquals(state.status, "running");
    const socks = state.proxy_address as string;
    assertMatch(socks, /^127\.0\.0\.1:\d+$/);
    await eventually("the session over the route", async () => {
      const status = await user.api.apps.get("skysocks-client");
      return (status.info as { session: { state: string } }).session.state === "up";
    }, 20_000);

    const fetched = await curl([
      "--socks5-hostname",
      socks,
      `http://127.0.0.1:${target.port}/hello`,
    ]);
    assertEquals(fetched.code, 0, fetched.stderr);
    assertEquals(new TextDecoder().decode(fetched.body), `hello from 127.0.0.1:${target.port}`);
    assert(user.routing.router.stats().groups >= 1, "the session rides a route group");

    const status = await skywire(["cli", "visor", "proxy", "status", ...rpc(user)]);
    assertEquals(status.code, 0, status.err);
    assertMatch(status.out, new RegExp(`Server: ${exit.pk.hex()}`));
    assertMatch(status.out, /Session: up/);
    const log = await skywire(["cli", "visor", "app", "log", "skysocks-client", ...rpc(user)]);
    assertMatch(log.out, /SOCKS5 proxy listening/);

    const stop = await skywire(["cli", "visor", "proxy", "stop", ...rpc(user)]);
    assertEquals([stop.code, stop.out], [0, "skysocks client skysocks-client stopped"]);
    const again = await skywire(["cli", "visor", "app", "stop", "skysocks-client", ...rpc(user)]);
    assertEquals(again.code, 1);
    assertMatch(again.err, /not running/);
    const unknown = await skywire(["cli", "visor", "app", "start", "vpn-client", ...rpc(user)]);
    assertEquals(unknown.code, 1);
    assertMatch(unknown.err, /not in launcher\.apps/);
    await eventually(
      "routes released",
      () => visors.every((v) => v.routing.router.stats().groups === 0),
    );
  },
});

Deno.test({
  name: "visor apps: the exit visor restarts; the proxy finds its way back by itself, port bound",
  ignore: !hasCurl,
  async fn() {
    await using target = await startHttpTarget();
    await using routed = await routedNetwork();
    const { net, visors, routing } = routed;
    const exitKeys = generateKeyPair();
    const startExit = () =>
      net.visor({
        keys: exitKeys,
        name: "exit",
        edit: (config) => {
          routing(config);
          config.launcher.apps = [{ name: "skysocks", auto_start: true, port: 3 }];
        },
      });
    let exit = await startExit();
    visors.push(exit);
    const user = await net.visor({
      edit: (config) => {
        routing(config);
        // The transport comes back by itself after the exit's restart.
        config.persistent_transports = [{ pk: exitKeys.pk.hex(), type: "dmsg" }];
        config.launcher.apps = [{
          name: "skysocks-client",
          args: [
            "-srv",
            exitKeys.pk.hex(),
            "-addr",
            "127.0.0.1:0",
            "-ping-interval",
            "300ms",
            "-ping-timeout",
            "300ms",
          ],
          auto_start: true,
          port: 13,
        }];
      },
    });
    visors.push(user);
    const socks = user.apps.status("skysocks-client").proxyAddress!;
    const url = `http://127.0.0.1:${target.port}/hello`;
    const session = () =>
      (user.apps.status("skysocks-client").info as {
        session: { state: string; connects: number };
      })
        .session;
    await eventually("the first session", () => session().state === "up", 20_000);
    assertEquals((await curl(["--socks5-hostname", socks, url])).code, 0);

    // The port stays bound while the exit is gone and back.
    const port = Number(socks.split(":")[1]);
    let refused = 0, probing = true;
    const probes = (async () => {
      while (probing) {
        await Deno.connect({ hostname: "127.0.0.1", port }).then(
          (c) => c.close(),
          () => refused++,
        );
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const restartedAt = performance.now();
    await exit.close();
    visors.splice(visors.indexOf(exit), 1);
    exit = await startExit();
    visors.push(exit);
    await eventually(
      "a new session",
      () => session().state === "up" && session().connects >= 2,
      45_000,
    );
    const back = await curl(["--socks5-hostname", socks, url]);
    const recoveredMs = performance.now() - restartedAt;
    probing = false;
    await probes;
    assertEquals(back.code, 0, back.stderr);
    assertEquals(refused, 0, "the SOCKS port refused connections during the restart");
    assert(recoveredMs < 45_000, `recovered after ${recoveredMs} ms`);
    console.log(JSON.stringify({ exit_restart_recovered_ms: Math.round(recoveredMs) }));
  },
});
