/** dmsg transports over a real dmsg discovery, server and two clients. */
import { assert, assertEquals, assertRejects, assertStrictEquals } from "@std/assert";
import { generateKeyPair, type KeyPair, makeTransportId } from "../../../mod/cipher/mod.ts";
import { DmsgError } from "../../../mod/dmsg/mod.ts";
import { PacketType } from "../../../mod/routing/mod.ts";
import {
  DmsgNetwork,
  TransportManager,
  TransportType,
  verifyEntrySignature,
} from "../../../mod/transport/mod.ts";
import { testNetwork } from "../dmsg/_harness.ts";
import { text, utf8 } from "./_helpers.ts";
import { eventually, MemoryRegistry, pingEventually, type Received } from "./_peers.ts";

function manager(keys: KeyPair, network: DmsgNetwork, registry: MemoryRegistry, into: Received[]) {
  return new TransportManager({
    keyPair: keys,
    networks: [network],
    registry,
    pingIntervalMs: 0,
    onPacket: (packet, transport) => {
      into.push({
        transport,
        type: packet.type,
        routeId: packet.routeId,
        payload: packet.payload.slice(),
      });
    },
  });
}

Deno.test("dmsg transport: settled over a dmsg stream to port 45, packets, pings, removal", async () => {
  await using net = await testNetwork();
  await net.server();
  const keysA = generateKeyPair(), keysB = generateKeyPair();
  const ca = await net.client({ keys: keysA });
  const cb = await net.client({ keys: keysB });
  await Promise.all([ca.ready(), cb.ready()]);
  const registry = new MemoryRegistry();
  const gotA: Received[] = [], gotB: Received[] = [];
  const a = manager(keysA, new DmsgNetwork(ca), registry, gotA);
  const b = manager(keysB, new DmsgNetwork(cb), registry, gotB);
  try {
    await a.start();
    await b.start();
    const ta = await a.saveTransport(keysB.pk, TransportType.dmsg);
    const id = makeTransportId(keysA.pk, keysB.pk, "dmsg");
    assertEquals(ta.id, id);
    await eventually(() => b.transport(id)?.isUp === true, "b holds it");
    const tb = b.transport(id)!;
    const signed = registry.entries.get(id)!;
    verifyEntrySignature(signed, keysA.pk);
    verifyEntrySignature(signed, keysB.pk);
    assertEquals(signed.entry.type, "dmsg");

    await ta.writePacket({ type: PacketType.Data, routeId: 1, payload: utf8("over dmsg") });
    const big = new Uint8Array(60_000).map((_, i) => i % 251);
    await tb.writePacket({ type: PacketType.Data, routeId: 2, payload: big });
    await eventually(() => gotB.length === 1 && gotA.length === 1, "packets both ways");
    assertEquals(text(gotB[0].payload), "over dmsg");
    assertEquals(gotA[0].payload, big);
    assert(await pingEventually(ta) >= 0);
    assert(await pingEventually(tb) >= 0);
    assertEquals(ta.counters().recvBytes, big.length + 8 + 8);
    assertStrictEquals(await a.saveTransport(keysB.pk, "dmsg"), ta);

    await b.deleteTransport(id);
    await eventually(() => a.transports().length === 0, "a drops it too");
    assertEquals(registry.entries.size, 0);
  } finally {
    await a.close();
    await b.close();
  }
  // The dmsg clients stay up (owned by the visor); the managers released their listeners.
  const reopened = cb.listen(45);
  reopened.close();
});

Deno.test("dmsg transport to a peer that does not listen on port 45 fails with the dmsg error", async () => {
  await using net = await testNetwork();
  await net.server();
  const keysA = generateKeyPair();
  const ca = await net.client({ keys: keysA });
  const cb = await net.client();
  await Promise.all([ca.ready(), cb.ready()]);
  const a = manager(keysA, new DmsgNetwork(ca), new MemoryRegistry(), []);
  try {
    await a.start();
    await assertRejects(() => a.saveTransport(cb.pk, "dmsg"), DmsgError);
    assertEquals(a.stats().transports, 0);
    assertEquals(a.stats().dialing, 0);
  } finally {
    await a.close();
  }
});
