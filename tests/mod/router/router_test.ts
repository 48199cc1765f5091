import { assert, assertEquals, assertRejects } from "@std/assert";
import { readFull, writeAll } from "../../../mod/conn/mod.ts";
import { RouteDialError, RouteGroupClosedError } from "../../../mod/router/mod.ts";
import { seededBytes } from "../../_util/prng.ts";
import { eventually, routerIdle, TestRoutes } from "./_net.ts";

const text = new TextEncoder();

Deno.test("a 1-hop route: dial, accept, bytes both ways inside Noise, close releases both ends", async () => {
  await using net = new TestRoutes();
  const a = await net.visor(), b = await net.visor();
  await net.link(a, b);
  const listener = b.router.listen(3);
  const [conn, accepted] = await Promise.all([a.dialer.dial(b.pk, 3), listener.accept()]);
  assert(accepted);
  assert(conn.encrypted && accepted.encrypted);
  assertEquals(conn.remoteAddr.port, 3);
  assert(conn.remoteAddr.pk.equals(b.pk));
  assert(accepted.remoteAddr.pk.equals(a.pk));
  assertEquals(accepted.remoteAddr.port, conn.localAddr.port);
  await writeAll(conn, text.encode("hello b"));
  const got = new Uint8Array(7);
  await readFull(accepted, got);
  assertEquals(new TextDecoder().decode(got), "hello b");
  await writeAll(accepted, text.encode("hi"));
  const back = new Uint8Array(2);
  await readFull(conn, back);
  assertEquals(new TextDecoder().decode(back), "hi");
  assertEquals(a.router.routeGroups().length, 1);
  assertEquals(a.router.stats().rules, 2);

  conn.close();
  assertEquals(await accepted.read(new Uint8Array(4)), null, "the peer reads the end");
  await Promise.all([conn.closed, accepted.closed]);
  assert(routerIdle(a.router), JSON.stringify(a.router.stats()));
  assert(routerIdle(b.router), JSON.stringify(b.router.stats()));
  listener.close();
  assertEquals(b.router.stats().ports, 0);
});

Deno.test("a 3-hop route through two relays; Close packets take the relays' rules away", async () => {
  await using net = new TestRoutes();
  const a = await net.visor(), m1 = await net.visor(), m2 = await net.visor();
  const b = await net.visor();
  await net.link(a, m1);
  await net.link(m1, m2);
  await net.link(m2, b);
  const listener = b.router.listen(7);
  const [conn, accepted] = await Promise.all([a.dialer.dial(b.pk, 7), listener.accept()]);
  assert(accepted);
  assertEquals(conn.paths?.forward.length, 3);
  assertEquals(m1.router.stats().rules, 2);
  assertEquals(m2.router.stats().rules, 2);
  const big = seededBytes(200_000, 7);
  const got = new Uint8Array(big.length);
  await Promise.all([writeAll(conn, big), readFull(accepted, got)]);
  assertEquals(got, big);
  assert(m1.router.stats().packets.forwarded > 0);

  accepted.close();
  assertEquals(await conn.read(new Uint8Array(1)), null);
  await Promise.all([conn.closed, accepted.closed]);
  await eventually(
    () => m1.router.stats().rules === 0 && m2.router.stats().rules === 0,
    "relay rules gone",
  );
  for (const v of [a, m1, m2, b]) assert(routerIdle(v.router), JSON.stringify(v.router.stats()));
  listener.close();
});

Deno.test("min hops: a direct transport is skipped for a 2-hop route when asked", async () => {
  await using net = new TestRoutes();
  const a = await net.visor(), m = await net.visor(), b = await net.visor();
  await net.link(a, b);
  await net.link(a, m);
  await net.link(m, b);
  const listener = b.router.listen(9);
  const [direct, first] = await Promise.all([a.dialer.dial(b.pk, 9), listener.accept()]);
  assertEquals(direct.paths?.forward.length, 1);
  const [relayed, second] = await Promise.all([
    a.dialer.dial(b.pk, 9, { minHops: 2 }),
    listener.accept(),
  ]);
  assertEquals(relayed.paths?.forward.length, 2);
  assertEquals(m.router.stats().rules, 2);
  for (const c of [direct, first!, relayed, second!]) c.close();
  await Promise.all([direct.closed, relayed.closed, first!.closed, second!.closed]);
  listener.close();
});

Deno.test("no_transit: the relay refuses intermediary rules, so the setup fails and nothing is left", async () => {
  await using net = new TestRoutes();
  const a = await net.visor(), m = await net.visor({ noTransit: true }), b = await net.visor();
  await net.link(a, m);
  await net.link(m, b);
  const listener = b.router.listen(4);
  const error = await assertRejects(() => a.dialer.dial(b.pk, 4));
  assert(String(error).includes("no_transit"), String(error));
  assertEquals(m.router.stats().rules, 0);
  assertEquals(a.router.stats().ports, 0);
  listener.close();
});

Deno.test("a dial to a port nobody listens on fails at setup, leaving the port free", async () => {
  await using net = new TestRoutes();
  const a = await net.visor(), b = await net.visor();
  await net.link(a, b);
  await assertRejects(() => a.dialer.dial(b.pk, 5), Error, "no route listener on port 5");
  assertEquals(a.router.stats().ports, 0);
});

Deno.test("ping: a loop route through the peer, one latency per try", async () => {
  await using net = new TestRoutes();
  const a = await net.visor(), b = await net.visor();
  await net.link(a, b);
  const pinger = net.pinger(a);
  const result = await pinger.ping(b.pk, { tries: 3 });
  assertEquals(result.latenciesMs.length, 3);
  assert(result.latenciesMs.every((ms) => ms > 0 && ms < 5_000));
  assertEquals(result.hops, 2);
  assert(result.encrypted);
  assertEquals(b.router.stats().packets.forwarded > 0, true);
  await eventually(() => routerIdle(a.router) && routerIdle(b.router), "ping routes released");
  await assertRejects(() => pinger.ping(a.pk), Error, "another visor");
});

Deno.test("plain route groups when encryption is off on one end (Go: the flag decides)", async () => {
  await using net = new TestRoutes();
  const a = await net.visor({ encrypt: false }), b = await net.visor();
  await net.link(a, b);
  const listener = b.router.listen(3);
  const [conn, accepted] = await Promise.all([a.dialer.dial(b.pk, 3), listener.accept()]);
  assert(!conn.encrypted && !accepted!.encrypted);
  await writeAll(conn, text.encode("plain"));
  const got = new Uint8Array(5);
  await readFull(accepted!, got);
  conn.close();
  accepted!.close();
  await Promise.all([conn.closed, accepted!.closed]);
  listener.close();
});

Deno.test("close fails every write still in flight on the route group", async () => {
  await using net = new TestRoutes();
  const a = await net.visor({ encrypt: false }), b = await net.visor({ encrypt: false });
  await net.link(a, b);
  const listener = b.router.listen(3);
  const [conn, accepted] = await Promise.all([a.dialer.dial(b.pk, 3), listener.accept()]);
  assert(accepted);
  // 4 MiB in 64 writes, all still in flight when the close comes: each must fail with the
  // group's close error (without the close's rejection they resolve as sent).
  const chunk = new Uint8Array(65_535);
  const writes = Promise.allSettled(Array.from({ length: 64 }, () => conn.write(chunk)));
  conn.close(); // before any of them could have left
  const outcomes = await writes;
  accepted.close(); // the peer read none of it; its end is closed here too
  assertEquals(outcomes.map((o) => o.status === "rejected"), outcomes.map(() => true));
  for (const outcome of outcomes) {
    assert((outcome as PromiseRejectedResult).reason instanceof RouteGroupClosedError);
  }
  await Promise.all([conn.closed, accepted.closed]);
  listener.close();
});

Deno.test("a route setup error names its step", async () => {
  await using net = new TestRoutes();
  const a = await net.visor(), b = await net.visor();
  const error = await assertRejects(() => a.dialer.dial(b.pk, 3), RouteDialError);
  assertEquals(error.step, "route_finder");
  assertEquals(a.router.stats().ports, 0);
});
