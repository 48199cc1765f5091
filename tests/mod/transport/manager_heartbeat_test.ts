import { assert, assertEquals } from "@std/assert";
import { generateKeyPair, makeTransportId } from "../../../mod/cipher/mod.ts";
import {
  REFRESH_JITTER,
  STCPR_BIND_REFRESH_MS,
  TRANSPORT_HEARTBEAT_INTERVAL_MS,
  TransportDiscoveryClient,
  TransportType,
} from "../../../mod/transport/mod.ts";
import { DEFAULT_BIND_TTL_MS } from "../../../services/address_resolver/mod.ts";
import { DEFAULT_ENTRY_TTL_MS } from "../../../services/transport_discovery/mod.ts";
import { startTestTpd } from "../../services/transport_discovery/_harness.ts";
import { startStcpPeer, type StcpPeer } from "./_peers.ts";

Deno.test("refresh defaults stay well inside the expiries of our discovery and resolver", () => {
  // At least three heartbeats (at their latest, jitter included) before a TPD entry expires,
  // and two binds before a binding does: one lost request must never drop an entry.
  assert(TRANSPORT_HEARTBEAT_INTERVAL_MS * (1 + REFRESH_JITTER) * 3 <= DEFAULT_ENTRY_TTL_MS);
  assert(STCPR_BIND_REFRESH_MS * (1 + REFRESH_JITTER) * 2 <= DEFAULT_BIND_TTL_MS);
});

Deno.test("manager heartbeat keeps a live transport's entry in a real TPD past its expiry, and restores a lapsed one", async () => {
  // Ten heartbeats per expiry: a busy machine may delay a few (each is a signed HTTP request),
  // and one that arrives in time is all the entry needs.
  const ttlMs = 2_000;
  await using tpd = await startTestTpd({ entryTtlMs: ttlMs, now: () => Date.now() });
  const table = new Map<string, string>();
  const peers: StcpPeer[] = [];
  // `heartbeatMs` for both ends of one transport; the responder registers the entry.
  const transport = async (heartbeatMs: number) => {
    const [ka, kb] = [generateKeyPair(), generateKeyPair()];
    const registry = (keys: typeof ka) => new TransportDiscoveryClient({ url: tpd.url, keys });
    const a = await startStcpPeer(table, {
      keys: ka,
      registry: registry(ka),
      heartbeatIntervalMs: heartbeatMs,
    });
    const b = await startStcpPeer(table, {
      keys: kb,
      registry: registry(kb),
      heartbeatIntervalMs: heartbeatMs,
    });
    peers.push(a, b);
    await a.manager.saveTransport(kb.pk, TransportType.stcp);
    const id = makeTransportId(ka.pk, kb.pk, "stcp");
    // A reader of its own: two clients signing with one key would race for its nonces.
    return await registered({ id, reader: registry(generateKeyPair()), a });
  };
  try {
    // Refreshed every ~200 ms and, as control, not within the test.
    const kept = await transport(200);
    const lapsed = await transport(60_000);
    // Heartbeats slower than the expiry: the entry lapses between them and comes back at each,
    // registered again by the accepting side from the countersigned entry it kept.
    const restored = await transport(ttlMs * 1.5);
    await new Promise((resolve) => setTimeout(resolve, ttlMs * 2.5));
    assert(kept.a.manager.transport(kept.id)?.isUp && lapsed.a.manager.transport(lapsed.id)?.isUp);
    assertEquals((await kept.reader.getById(kept.id))?.id, kept.id, "kept alive by heartbeats");
    assertEquals(await lapsed.reader.getById(lapsed.id), undefined, "expired without them");
    await until("the entry lapsed", async () => !(await restored.reader.getById(restored.id)));
    await until("the entry restored", async () => !!(await restored.reader.getById(restored.id)));
  } finally {
    await Promise.all(peers.map((peer) => peer.manager.close()));
  }
});

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// The responder registers the entry once the settlement ends: poll the TPD until it is there.
async function registered<T extends { id: string; reader: TransportDiscoveryClient }>(
  tp: T,
): Promise<T> {
  const deadline = Date.now() + 5_000;
  while (!(await tp.reader.getById(tp.id))) {
    if (Date.now() > deadline) throw new Error(`entry ${tp.id} never registered`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return tp;
}
