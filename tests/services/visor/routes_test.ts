/**
 * A visor's routing, end to end in this process: the setup node inside our dmsg server
 * (port 36), the visors' router RPC on port 136, a route finder over HTTP, and
 * `skywire cli visor ping|route` through the control endpoint.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { runCommandLine } from "../../../mod/cli/mod.ts";
import { rootCommand } from "../../../services/cli/mod.ts";
import { serveRouteSetup } from "../../../services/dmsg_server/route_setup.ts";
import type { Visor } from "../../../services/visor/mod.ts";
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

Deno.test("visor ping and route commands over routes set up by our dmsg server", async () => {
  await using net = await visorNetwork();
  const setup = serveRouteSetup(net.server);
  const visors: Visor[] = [];
  await using rf = serveTestRouteFinder(() => visors.map((v) => v.transports.manager));
  const start = async (noTransit = false) => {
    const visor = await net.visor({
      edit: (config) => {
        config.routing.route_setup_nodes = [net.server.pk.hex()];
        config.routing.route_finder = rf.url;
        if (noTransit) config.routing.no_transit = true;
      },
    });
    visors.push(visor);
    return visor;
  };
  try {
    const a = await start(), b = await start(), c = await start(), d = await start(true);
    const rpc = (v: Visor) => ["--rpc", v.control!.address];
    const B = b.pk.hex(), C = c.pk.hex();
    await a.api.transports.add({ remote_pk: B, type: "dmsg" });
    await b.api.transports.add({ remote_pk: C, type: "dmsg" });
    await b.api.transports.add({ remote_pk: d.pk.hex(), type: "dmsg" });
    await eventually(
      "c and d hold their transports",
      () =>
        c.transports.manager.transports().length === 1 &&
        d.transports.manager.transports().length === 1,
    );

    const ping = await skywire(["cli", "visor", "ping", B, "-t", "3", ...rpc(a)]);
    assertEquals(ping.code, 0, ping.err);
    const lines = ping.out.split("\n");
    assertEquals(lines.length, 3);
    for (const line of lines) {
      assertMatch(line, /^Latency: \d+\.\d\d ms \| Speed: \d+\.\d{3} KB\/s$/);
    }

    // Two hops out and back: a → b → c → b → a; b relays, c turns the loop around.
    const far = await skywire(["cli", "visor", "ping", C, "-s", "4", "--json", ...rpc(a)]);
    assertEquals(far.code, 0, far.err);
    const report = JSON.parse(far.out);
    assertEquals([report.pk, report.hops, report.size_kb, report.encrypted], [C, 4, 4, true]);
    assert(b.routing.router.stats().packets.forwarded > 0);

    await eventually(
      "routes released",
      () => visors.every((v) => v.routing.router.stats().rules === 0),
    );

    // d does not relay (no_transit): a ping loop turns around at d, so it is refused there;
    // d's own pings relay nothing of d's.
    const refused = await skywire(["cli", "visor", "ping", d.pk.hex(), ...rpc(a)]);
    assertEquals(refused.code, 1);
    assertMatch(refused.err, /no_transit/);
    const own = await skywire(["cli", "visor", "ping", B, ...rpc(d)]);
    assertEquals(own.code, 0, own.err);
    // The refused set-up leaves a and d nothing; b's relay rules of it go with their keep-alive
    // (Go's setup node does not roll back).
    assertEquals(a.routing.router.stats().rules, 0);

    // Rules by hand, Go's table and JSON.
    const tp = a.transports.manager.transports()[0].id;
    const added = await skywire([
      "cli",
      "visor",
      "route",
      "add-rule",
      "intfwd",
      "7",
      "9",
      tp,
      ...rpc(a),
    ]);
    assertEquals([added.code, added.out], [0, "Routing Rule Key: 7"]);
    const app = await skywire([
      "cli",
      "visor",
      "route",
      "add-rule",
      "app",
      "8",
      a.pk.hex(),
      "3",
      B,
      "5",
      "--keep-alive",
      "1m",
      "--json",
      ...rpc(a),
    ]);
    assertEquals(app.out, '{"routing_route_key":8}');
    const table = await skywire(["cli", "visor", "route", "ls-rules", ...rpc(a)]);
    assertEquals(table.out.split("\n").map((l) => l.split(/\s+/)), [
      [
        "id",
        "type",
        "local-port",
        "remote-port",
        "remote-pk",
        "next-route-id",
        "next-transport-id",
        "expire-at",
      ],
      ["7", "IntermediaryForward", "-", "-", "-", "9", tp, "30s"],
      ["8", "Consume", "3", "5", B, "-", "-", "1m0s"],
    ]);
    const one = JSON.parse(
      (await skywire(["cli", "visor", "route", "rule", "8", "--json", ...rpc(a)])).out,
    );
    assertEquals([one.rule_type, one.key_route_id, one.keep_alive], [0, 8, 60e9]);
    assertEquals((await skywire(["cli", "visor", "route", "rm-rule", "7", ...rpc(a)])).out, "OK");
    const gone = await skywire(["cli", "visor", "route", "rm-rule", "7", ...rpc(a)]);
    assertEquals([gone.code, gone.err], [
      1,
      "skywire cli visor route rm-rule: no rule with route id 7",
    ]);
    assertEquals(
      (await skywire(["cli", "visor", "route", "ls-rg", "--json", ...rpc(a)])).out,
      "[]",
    );
    const bad = await skywire(["cli", "visor", "route", "rule", "x", ...rpc(a)]);
    assertEquals(bad.code, 2);
  } finally {
    await setup.close();
  }
});
