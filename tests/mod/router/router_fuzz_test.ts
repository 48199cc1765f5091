// Malformed packets and rules on a live transport: every fuzz packet is dropped and counted
// (none is delivered or relayed), every bad rule is refused with a typed error, and the live
// route group on the same transport carries its bytes as before.
import { assert, assertEquals } from "@std/assert";
import { readFull, writeAll } from "../../../mod/conn/mod.ts";
import { InvalidRulesError, RouterError, type RouterStats } from "../../../mod/router/mod.ts";
import { encodePacket, PacketType, routingGob, Rule } from "../../../mod/routing/mod.ts";
import { Prng, seededBytes } from "../../_util/prng.ts";
import { eventually, TestRoutes } from "./_net.ts";

const dropped = (s: RouterStats) => Object.values(s.packets.dropped).reduce((a, b) => a + b, 0);

// Payload lengths that are too short for what each type carries (Go reads past them).
const SHORT: Record<number, number> = {
  [PacketType.Close]: 0,
  [PacketType.Handshake]: 0,
  [PacketType.Ping]: 15,
  [PacketType.Pong]: 7,
};

Deno.test({
  name: "fuzz: malformed packets on a live transport are dropped and counted, the route lives on",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using net = new TestRoutes();
    const a = await net.visor(), b = await net.visor();
    const tpId = await net.link(a, b);
    const listener = b.router.listen(3);
    const [conn, accepted] = await Promise.all([a.dialer.dial(b.pk, 3), listener.accept()]);
    const live = new Set(b.router.rules().map((rule) => rule.keyRouteId));
    const consume = accepted!.group.reverse.keyRouteId;
    const tp = a.manager.transport(tpId)!;
    const before = b.router.stats();
    const prng = new Prng(0x5eed);
    const N = 3_000;
    for (let i = 0; i < N; i++) {
      let packet: Uint8Array;
      const pick = prng.int(4);
      if (pick === 0) {
        // Aimed at the live group: only what it must refuse (short payloads, foreign types).
        const type = [
          PacketType.Close,
          PacketType.Handshake,
          PacketType.Ping,
          PacketType.Pong,
          7,
          17,
          20 + prng.int(236),
        ][prng.int(7)];
        const size = SHORT[type] === undefined ? prng.int(64) : prng.int(SHORT[type] + 1);
        packet = encodePacket({ type, routeId: consume, payload: prng.bytes(size) });
      } else {
        // Any type on a route id nobody holds, 0 included.
        let routeId = pick === 1 ? 0 : prng.u32();
        while (live.has(routeId)) routeId = prng.u32();
        let type = prng.int(3) === 0 ? prng.int(256) : prng.int(20);
        // TransportPing/Pong on route id 0 are the transport's own (answered, not passed on).
        if (routeId === 0 && (type === 8 || type === 9)) type = 0;
        packet = encodePacket({ type, routeId, payload: prng.bytes(prng.int(300)) });
      }
      await tp.writePacket(packet);
    }
    await eventually(
      () => b.router.stats().packets.received - before.packets.received >= N,
      "all read",
    );
    const after = b.router.stats();
    assertEquals(dropped(after) - dropped(before), N, JSON.stringify(after.packets.dropped));
    assertEquals(after.packets.forwarded, before.packets.forwarded);
    assertEquals(after.packets.delivered, before.packets.delivered);
    assertEquals([after.rules, after.groups], [before.rules, before.groups]);
    assert(after.packets.dropped.malformed > 0 && after.packets.dropped.unknownRoute > 0);

    // The live group, on the same transport, still works both ways (inside Noise).
    const data = seededBytes(200_000, 5), back = new Uint8Array(data.length);
    await Promise.all([writeAll(conn, data), readFull(accepted!, back)]);
    assertEquals(back, data);
    await Promise.all([
      writeAll(accepted!, data.subarray(0, 1000)),
      readFull(conn, back.subarray(0, 1000)),
    ]);
    assertEquals(conn.group.state, "open");
    conn.close();
    await Promise.all([conn.closed, accepted!.closed]);
    listener.close();
  },
});

Deno.test({
  name: "fuzz: random and mutated rules are refused with typed errors; nothing half-saved",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using net = new TestRoutes();
    const a = await net.visor(), b = await net.visor();
    const tpId = await net.link(a, b);
    b.router.listen(3);
    const valid = Rule.intermediaryForward({
      keepAliveMs: 30_000,
      keyRouteId: 77,
      nextRouteId: 9,
      nextTransportId: tpId,
    }).bytes;
    const prng = new Prng(0xfee1);
    let refused = 0, saved = 0;
    for (let i = 0; i < 2_000; i++) {
      const bytes = prng.int(2) === 0 ? prng.bytes(prng.int(140)) : valid.slice();
      if (bytes === valid || prng.int(3) > 0) {
        bytes[prng.int(bytes.length || 1)] ^= 1 + prng.int(255);
      }
      const edge: routingGob.EdgeRules = {
        Desc: prng.bytes(prng.int(2) === 0 ? 70 : prng.int(100)),
        Forward: prng.int(2) === 0 ? bytes : prng.bytes(120),
        Reverse: prng.bytes(prng.int(2) === 0 ? 83 : prng.int(100)),
      };
      for (
        const call of [
          () => b.router.addIntermediaryRules([bytes]),
          () => b.router.introduceEdgeRules(edge),
        ]
      ) {
        const rules = b.router.stats().rules;
        try {
          call();
          saved++;
          // A mutation that is still a valid rule (another key route id, another keep-alive) is
          // saved whole; take it away again, expired ones included.
          assert(b.router.stats().rules > rules);
          b.router.table.collectExpired(Number.POSITIVE_INFINITY);
          b.router.sweep();
        } catch (error) {
          assert(error instanceof InvalidRulesError || error instanceof RouterError, String(error));
          assertEquals(b.router.stats().rules, rules, "a refused call saves nothing");
          refused++;
        }
      }
    }
    assert(refused > 3_000, `refused ${refused}, saved ${saved}`);
    assertEquals([b.router.stats().rules, b.router.stats().groups], [0, 0]);
  },
});
