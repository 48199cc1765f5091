import { assert, assertEquals } from "@std/assert";
import { addressGroup, HandshakeBudget } from "../../../../mod/dmsg/server/_handshake_budget.ts";
import { echo, roundTrip, testNetwork, waitFor } from "../_harness.ts";
import { holdConnections, sourceAddresses, xkFirstMessage } from "./_attacks.ts";

Deno.test("addressGroup: IPv4 as is, IPv4-mapped as IPv4, IPv6 by its /64", () => {
  assertEquals(addressGroup("203.0.113.7"), "203.0.113.7");
  assertEquals(addressGroup("::ffff:203.0.113.7"), "203.0.113.7");
  assertEquals(addressGroup("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  assertEquals(addressGroup("2001:0db8:0001:0002::9"), "2001:db8:1:2::/64");
  assertEquals(addressGroup("[2001:db8::1]"), "2001:db8:0:0::/64");
  assertEquals(addressGroup("fe80::1%eth0"), "fe80:0:0:0::/64");
  assertEquals(addressGroup("::1"), "0:0:0:0::/64");
  assertEquals(addressGroup("64:ff9b::192.0.2.1"), "64:ff9b:0:0::/64");
  assertEquals(addressGroup("2001:db8:1:2::"), "2001:db8:1:2::/64");
});

Deno.test("HandshakeBudget: per-address refusal, oldest evicted when full, release idempotent", () => {
  const budget = new HandshakeBudget(3, 2);
  const evicted: string[] = [];
  const a1 = budget.admit("10.0.0.1", () => evicted.push("a1"))!;
  budget.admit("10.0.0.1", () => evicted.push("a2"));
  assertEquals(budget.admit("10.0.0.1", () => evicted.push("a3")), undefined);
  const b1 = budget.admit("10.0.0.2", () => evicted.push("b1"))!;
  assertEquals([budget.size, budget.groups], [3, 2]);
  // Full: the oldest (a1) makes room.
  const c1 = budget.admit("10.0.0.3", () => evicted.push("c1"))!;
  assertEquals(evicted, ["a1"]);
  assertEquals([budget.size, budget.evicted], [3, 1]);
  a1.release(); // already gone: nothing changes
  assertEquals(budget.size, 3);
  // 10.0.0.1 holds one place now, so it may take another.
  const a4 = budget.admit("10.0.0.1", () => evicted.push("a4"))!;
  assertEquals(evicted, ["a1", "a2"]);
  for (const held of [b1, c1, a4]) held.release();
  assertEquals([budget.size, budget.groups], [0, 0]);
  budget.admit("10.0.0.9", () => evicted.push("z"));
  budget.evictAll();
  assertEquals(evicted.at(-1), "z");
  assertEquals(budget.size, 0);
});

Deno.test("server: 2,100 idle connections from 40 addresses do not lock new clients out", async () => {
  await using net = await testNetwork();
  // Idle connections are never timed out here: only the budget can let clients in.
  const server = await net.server({ sessionHandshakeTimeoutMs: 60_000 });
  await using idle = await holdConnections(server.address, 2_100, {
    sources: sourceAddresses(40),
  });
  assertEquals(idle.opened, 2_100);
  await waitFor("budget full", () => server.stats().sessionHandshakes === 1_024);
  // Sessions are counted after the handshake only: every place is still on offer.
  assertEquals(server.availableSessions(), 2_048);
  const a = await net.client();
  const b = await net.client();
  await waitFor("clients in", () => server.sessionCount() === 2);
  await Promise.all([a.ready(), b.ready()]);
  const listener = b.listen(7);
  const echoing = (async () => {
    for await (const stream of listener) echo(stream);
  })();
  const stream = await a.dialStream({ pk: b.pk, port: 7 });
  const data = new TextEncoder().encode("through the crowd");
  assertEquals(await roundTrip(stream, data), data);
  stream.close();
  assertEquals(server.sessionCount(), 2);
  const stats = server.stats();
  assert(stats.sessionHandshakes <= 1_024, `${stats.sessionHandshakes} handshakes`);
  assert(stats.handshakesEvicted >= 2_100 - 1_024, `${stats.handshakesEvicted} evicted`);
  idle.close();
  await waitFor("handshakes released", () => server.stats().sessionHandshakes === 0);
  listener.close();
  await echoing;
});

Deno.test("server: one address gets 64 handshakes; its 2,000 half handshakes leave others alone", async () => {
  await using net = await testNetwork();
  const server = await net.server();
  const first = xkFirstMessage(server.pk);
  await using half = await holdConnections(server.address, 2_000, {
    sources: ["127.0.0.2"],
    first: () => first,
  });
  await waitFor("extra connections closed", () => half.closedByServer >= 2_000 - 64);
  assertEquals(server.stats().sessionHandshakes, 64);
  assertEquals(server.stats().handshakeAddresses, 1);
  // A client from another address connects at once.
  const client = await net.client();
  await client.ready();
  assertEquals(server.sessionCount(), 1);
  half.close();
  await waitFor("handshakes released", () => server.stats().sessionHandshakes === 0);
});

Deno.test("server: half handshakes are dropped after the session handshake limit", async () => {
  await using net = await testNetwork();
  const server = await net.server({ sessionHandshakeTimeoutMs: 300 });
  const first = xkFirstMessage(server.pk);
  await using half = await holdConnections(server.address, 50, {
    sources: sourceAddresses(5),
    first: () => first,
  });
  await waitFor("all dropped", () => half.closedByServer === 50);
  assertEquals(server.stats().sessionHandshakes, 0);
});
