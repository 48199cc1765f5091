import { assert, assertEquals, assertStrictEquals } from "@std/assert";
import { generateKeyPair, type KeyPair, makeTransportId } from "../../../mod/cipher/mod.ts";
import { eventually, type PeerOptions, pingEventually, startStcpPeer } from "./_peers.ts";

const FAST: PeerOptions = {
  redialBackoff: { initialMs: 50, maxMs: 300, factor: 2 },
  redialGraceMs: 100,
  persistentCheckMs: 50,
  persistentBackoff: { initialMs: 50, maxMs: 300, factor: 2 },
};

/** Two key pairs, the first one the lower edge when `firstLower`. */
function orderedKeys(firstLower: boolean): [KeyPair, KeyPair] {
  const [x, y] = [generateKeyPair(), generateKeyPair()];
  const [low, high] = x.pk.compare(y.pk) < 0 ? [x, y] : [y, x];
  return firstLower ? [low, high] : [high, low];
}

for (
  const [bothPersistent, aLower] of [[false, true], [false, false], [true, true], [true, false]]
) {
  const name = `${bothPersistent ? "both edges" : "one edge"} persistent, a is the ${
    aLower ? "lower" : "higher"
  } edge`;
  Deno.test(`peer restart: the persistent transport comes back by itself (${name})`, async () => {
    const table = new Map<string, string>();
    const [aKeys, bKeys] = orderedKeys(aLower);
    const b = await startStcpPeer(table, { ...FAST, keys: bKeys });
    const a = await startStcpPeer(table, {
      ...FAST,
      keys: aKeys,
      persistent: [{ pk: b.keys.pk, type: "stcp" }],
    });
    if (bothPersistent) b.manager.setPersistent([{ pk: a.keys.pk, type: "stcp" }]);
    const id = makeTransportId(a.keys.pk, b.keys.pk, "stcp");
    let restarted: typeof b | undefined;
    try {
      await eventually(() => a.manager.transport(id)?.isUp === true, "a dials its persistent peer");
      const ta = a.manager.transport(id)!;
      assert(ta.persistent);
      await pingEventually(ta);

      const port = Number(b.address.split(":")[1]);
      await b.manager.close();
      await eventually(() => !ta.isUp, "a notices the peer is gone");
      await new Promise((resolve) => setTimeout(resolve, 400)); // a redials into nothing meanwhile
      assertStrictEquals(a.manager.transport(id), ta, "the transport stays while it redials");
      assert(!ta.isClosed);

      restarted = await startStcpPeer(table, {
        ...FAST,
        keys: b.keys,
        port,
        persistent: bothPersistent ? [{ pk: a.keys.pk, type: "stcp" }] : [],
      });
      const r = restarted;
      await eventually(
        () => ta.isUp && r.manager.transport(id)?.isUp === true,
        "the transport is back on both sides",
        10_000,
      );
      assertStrictEquals(a.manager.transport(id), ta);
      assertEquals(a.manager.transports().length, 1);
      assertEquals(r.manager.transports().length, 1);
      await pingEventually(ta);
      await pingEventually(r.manager.transport(id)!);
    } finally {
      await a.manager.close();
      await b.manager.close();
      await restarted?.manager.close();
    }
  });
}

Deno.test("a transport that is not persistent closes when its peer goes away", async () => {
  const table = new Map<string, string>();
  const a = await startStcpPeer(table, FAST);
  const b = await startStcpPeer(table, FAST);
  try {
    const ta = await a.manager.saveTransport(b.keys.pk, "stcp");
    await b.manager.close();
    await ta.closed;
    assertEquals(a.manager.transports().length, 0);
  } finally {
    await a.manager.close();
    await b.manager.close();
  }
});

Deno.test("a persistent peer that never answers is retried with capped backoff, and released", async () => {
  const table = new Map<string, string>();
  const ghost = await startStcpPeer(table);
  const ghostPk = ghost.keys.pk;
  await ghost.manager.close(); // its address stays in the table, nobody listens there
  const a = await startStcpPeer(table, { ...FAST, persistent: [{ pk: ghostPk, type: "stcp" }] });
  try {
    await new Promise((resolve) => setTimeout(resolve, 400));
    assertEquals(a.manager.stats().persistentBackoffs, 1);
    assertEquals(a.manager.transports().length, 0);
    a.manager.setPersistent([]);
    assertEquals(a.manager.stats().persistentBackoffs, 0);
  } finally {
    await a.manager.close();
  }
  assertEquals(a.manager.stats(), {
    transports: 0,
    dialing: 0,
    accepting: 0,
    inflight: 0,
    persistentBackoffs: 0,
  });
});
