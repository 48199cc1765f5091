// Upkeep: idle rules expire (and close their groups), groups keep their rules alive with
// KeepAlive packets, the sweep forgets groups whose Consume rule went, a closed transport
// takes its groups and relay rules along, and Ping/Pong measures latency.
import { assert, assertEquals } from "@std/assert";
import { readFull, writeAll } from "../../../mod/conn/mod.ts";
import { eventually, routerIdle, TestRoutes } from "./_net.ts";

Deno.test("an expired Consume rule closes its group; the peer hears the Close and lets go too", async () => {
  await using net = new TestRoutes();
  let clock = 0;
  const a = await net.visor({ now: () => clock }), b = await net.visor();
  await net.link(a, b);
  const listener = b.router.listen(3);
  const [conn, accepted] = await Promise.all([a.dialer.dial(b.pk, 3), listener.accept()]);
  a.router.sweep();
  assertEquals(conn.group.state, "open", "nothing expired yet");
  clock += 31_000; // past the 30 s keep-alive of the rules our dialer asks for
  a.router.sweep();
  assertEquals(a.router.stats().rules, 0);
  assertEquals(await accepted!.read(new Uint8Array(1)), null, "b's group is closed by a's Close");
  await Promise.all([conn.closed, accepted!.closed]);
  assert(routerIdle(a.router) && routerIdle(b.router));
  listener.close();
});

Deno.test("idle groups send KeepAlive every half keep-alive, so their rules survive the sweeps", async () => {
  await using net = new TestRoutes();
  // KeepAlive goes every 500 ms; the rules would expire 1 s after the dial without it, well
  // inside the 1.5 s of sweeps, and a loaded machine may stall timers for a few hundred ms.
  const a = await net.visor({ keepAliveMs: 1_000 }), m = await net.visor(), b = await net.visor();
  await net.link(a, m);
  await net.link(m, b);
  const listener = b.router.listen(3);
  const [conn, accepted] = await Promise.all([a.dialer.dial(b.pk, 3), listener.accept()]);
  const deadline = Date.now() + 1_500;
  while (Date.now() < deadline) {
    for (const v of [a, m, b]) v.router.sweep();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assertEquals(conn.group.state, "open");
  assertEquals(accepted!.group.state, "open");
  assertEquals(m.router.stats().rules, 2, "the relay's rules were kept alive too");
  await writeAll(conn, Uint8Array.of(42));
  const one = new Uint8Array(1);
  await readFull(accepted!, one);
  assertEquals(one[0], 42);
  conn.close();
  await Promise.all([conn.closed, accepted!.closed]);
  listener.close();
});

Deno.test("the sweep forgets a group whose Consume rule went behind the router's back", async () => {
  await using net = new TestRoutes();
  const a = await net.visor(), b = await net.visor();
  await net.link(a, b);
  const listener = b.router.listen(3);
  const [conn, accepted] = await Promise.all([a.dialer.dial(b.pk, 3), listener.accept()]);
  // The rule goes without the router hearing of it (as when a group's own close removed it).
  a.router.table.deleteRule(conn.group.reverse.keyRouteId);
  a.router.sweep();
  await Promise.all([conn.closed, accepted!.closed]);
  assertEquals(a.router.stats().groups, 0);
  // rm-rule of a Consume rule closes its group at once (Go DelRules).
  const [c2, a2] = await Promise.all([a.dialer.dial(b.pk, 3), listener.accept()]);
  a.router.deleteRules([c2.group.reverse.keyRouteId]);
  await Promise.all([c2.closed, a2!.closed]);
  assert(routerIdle(a.router) && routerIdle(b.router), JSON.stringify(a.router.stats()));
  listener.close();
});

Deno.test("a transport closing for good takes its groups and the relay rules on it along", async () => {
  await using net = new TestRoutes();
  const a = await net.visor(), m = await net.visor(), b = await net.visor();
  await net.link(a, m);
  const mb = await net.link(m, b);
  const listener = b.router.listen(3);
  const [conn, accepted] = await Promise.all([a.dialer.dial(b.pk, 3), listener.accept()]);
  assertEquals(m.router.stats().rules, 2);
  await m.manager.deleteTransport(mb);
  await accepted!.closed; // b's group sent on that transport
  await eventually(() => m.router.stats().rules === 1, "the relay rule towards b is gone");
  assertEquals(conn.group.state, "open", "a hears nothing yet: its rules expire later");
  conn.close();
  await conn.closed;
  listener.close();
});

Deno.test("Ping/Pong: a group learns its route's latency", async () => {
  await using net = new TestRoutes();
  const a = await net.visor({ pingIntervalMs: 30 }), b = await net.visor({ pingIntervalMs: 30 });
  await net.link(a, b);
  const listener = b.router.listen(3);
  const [conn, accepted] = await Promise.all([a.dialer.dial(b.pk, 3), listener.accept()]);
  await eventually(
    () => conn.latencyMs !== undefined && accepted!.latencyMs !== undefined,
    "pongs",
  );
  assert(conn.latencyMs! >= 0 && conn.latencyMs! < 1_000);
  assertEquals(conn.info().state, "open");
  conn.close();
  await Promise.all([conn.closed, accepted!.closed]);
  listener.close();
});
