import { assert, assertEquals, assertRejects, assertStrictEquals } from "@std/assert";
import { generateKeyPair, makeTransportId } from "../../../mod/cipher/mod.ts";
import { PacketType } from "../../../mod/routing/mod.ts";
import {
  TransportClosedError,
  TransportError,
  TransportType,
  UnknownNetworkError,
  verifyEntrySignature,
} from "../../../mod/transport/mod.ts";
import { eventually, MemoryRegistry, startStcpPeer } from "./_peers.ts";
import { utf8 } from "./_helpers.ts";

Deno.test("stcp transport: both sides hold it, the responder registers it, packets and pings flow", async () => {
  const table = new Map<string, string>();
  const registry = new MemoryRegistry();
  const a = await startStcpPeer(table, { registry });
  const b = await startStcpPeer(table, { registry });
  try {
    const ta = await a.manager.saveTransport(b.keys.pk, TransportType.stcp);
    const id = makeTransportId(a.keys.pk, b.keys.pk, "stcp");
    assertEquals(ta.id, id);
    await eventually(() => b.manager.transport(id)?.isUp === true, "b holds the transport");
    const tb = b.manager.transport(id)!;
    assert(tb.remotePk.equals(a.keys.pk));
    assertEquals(registry.registered, 1);
    const signed = registry.entries.get(id)!;
    verifyEntrySignature(signed, a.keys.pk);
    verifyEntrySignature(signed, b.keys.pk);

    await ta.writePacket({ type: PacketType.Data, routeId: 9, payload: utf8("hello b") });
    await tb.writePacket({ type: PacketType.Close, routeId: 3, payload: Uint8Array.of(0) });
    await eventually(() => b.received.length === 1 && a.received.length === 1, "packets");
    assertEquals(b.received[0].routeId, 9);
    assertEquals(new TextDecoder().decode(b.received[0].payload), "hello b");
    assertStrictEquals(b.received[0].transport, tb);
    assertEquals(a.received[0].type, PacketType.Close);

    const rtt = await ta.ping();
    assert(rtt >= 0 && rtt < 1_000);
    await tb.ping();
    assertEquals(ta.latency()?.samples, 1);
    // Counters include the ping payloads: 7 + 8 (ping) + 8 (pong to b's ping) sent by a.
    assertEquals(ta.counters().sentBytes, 7 + 8 + 8);
    assertEquals(ta.counters().sentPackets, 3);
    assertEquals(ta.counters().recvBytes, 1 + 8 + 8);
    assertEquals(tb.counters().recvBytes, 7 + 8 + 8);
    assertEquals(a.received.length, 1, "pings and pongs are not passed on");
    const info = ta.info();
    assertEquals(info.remotePk, b.keys.pk.hex());
    assertEquals(info.label, "user");
    assert(info.isUp);

    // A second save returns the same transport without dialing.
    assertStrictEquals(await a.manager.saveTransport(b.keys.pk, "stcp"), ta);

    assert(await a.manager.deleteTransport(id));
    await eventually(() => b.manager.transports().length === 0, "b drops it too");
    assertEquals(a.manager.transports().length, 0);
    assertEquals(registry.entries.size, 0);
  } finally {
    await a.manager.close();
    await b.manager.close();
  }
});

Deno.test("saveTransport refuses unknown types, ourselves, and a closed manager", async () => {
  const table = new Map<string, string>();
  const a = await startStcpPeer(table);
  await assertRejects(
    () => a.manager.saveTransport(generateKeyPair().pk, "sudph"),
    UnknownNetworkError,
  );
  await assertRejects(() => a.manager.saveTransport(a.keys.pk, "stcp"), TransportError);
  await assertRejects(() => a.manager.saveTransport(generateKeyPair().pk, "stcp"), TransportError);
  await a.manager.close();
  await assertRejects(
    () => a.manager.saveTransport(generateKeyPair().pk, "stcp"),
    TransportClosedError,
  );
  assertEquals(a.manager.stats(), {
    transports: 0,
    dialing: 0,
    accepting: 0,
    inflight: 0,
    persistentBackoffs: 0,
  });
});
