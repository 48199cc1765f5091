/**
 * The replay attacks on a running discovery (real sockets, real KV file): an attacker reads a
 * node's signed entry back from the API and plays it (or an older one it saw) again to delete
 * the entry or roll it back. Only the key holder, signing now, may delete or re-register.
 */
import { assert, assertEquals } from "@std/assert";
import {
  decodeEntry,
  DiscoveryClient,
  type Entry,
  EntryPublisher,
  marshalEntry,
} from "../../../mod/dmsg/mod.ts";
import { TOMBSTONE_TTL_MS } from "../../../services/dmsg_discovery/mod.ts";
import {
  call,
  clientEntry,
  generateKeyPair,
  goMessage,
  post,
  serverEntry,
  startTestDiscovery,
  type TestDiscovery,
} from "./_harness.ts";

const WRONG_SEQUENCE = goMessage(
  422,
  "entry validation error: sequence field of new entry is not sequence of old entry + 1",
);
const WRONG_TIME = goMessage(
  422,
  "entry validation error: advertised entry timestamp is not greater than previous",
);
const OUTDATED = goMessage(422, "entry validation error: advertised entry has outdated timestamp");

function del(d: TestDiscovery, body: Uint8Array) {
  return call(`${d.url}/dmsg-discovery/entry`, { method: "DELETE", body: body as BodyInit });
}

/** What anyone can read: the served entry's exact bytes. */
async function served(d: TestDiscovery, entry: Entry): Promise<Uint8Array> {
  const res = await fetch(`${d.url}/dmsg-discovery/entry/${entry.static.hex()}`);
  assertEquals(res.status, 200);
  return new Uint8Array(await res.arrayBuffer());
}

async function storedSequence(d: TestDiscovery, entry: Entry): Promise<bigint | undefined> {
  const res = await fetch(`${d.url}/dmsg-discovery/entry/${entry.static.hex()}`);
  if (res.status !== 200) {
    await res.body?.cancel();
    return undefined;
  }
  return decodeEntry(new Uint8Array(await res.arrayBuffer())).sequence;
}

Deno.test("replaying the served entry does not delete it; older entries do not roll it back", async () => {
  await using d = await startTestDiscovery();
  const owner = generateKeyPair(), server = generateKeyPair();
  const seen: Uint8Array[] = [];
  for (let seq = 0n; seq <= 3n; seq++) {
    const entry = clientEntry(owner, d.clock, { sequence: seq, delegated: [server] });
    assertEquals((await post(d.url, entry)).status, 200);
    seen.push(await served(d, entry));
    d.clock.ms += 1000;
  }
  // The attack of the report: DELETE with the entry the API serves.
  const replay = await del(d, seen[3]);
  assertEquals([replay.status, replay.text], [422, WRONG_SEQUENCE]);
  for (const old of seen) {
    assertEquals((await del(d, old)).status, 422);
    const again = await call(`${d.url}/dmsg-discovery/entry/`, {
      method: "POST",
      body: old as BodyInit,
    });
    assertEquals(again.status, 422);
  }
  assertEquals(await storedSequence(d, decodeEntry(seen[0])), 3n);
  // The owner's own next update still goes through.
  const next = clientEntry(owner, d.clock, { sequence: 4n, delegated: [server] });
  assertEquals((await post(d.url, next)).status, 200);
});

Deno.test("a deletion cannot be undone by replay, nor replayed after a re-registration", async () => {
  await using d = await startTestDiscovery();
  const owner = generateKeyPair();
  const first = clientEntry(owner, d.clock);
  await post(d.url, first);
  const captured = await served(d, first);
  d.clock.ms += 1000;
  const deletion = clientEntry(owner, d.clock, { sequence: 1n });
  assertEquals((await del(d, marshalEntry(deletion))).status, 200);

  // The captured sequence-0 entry is still inside the freshness window: the tombstone stops it.
  const resurrect = await call(`${d.url}/dmsg-discovery/entry/`, {
    method: "POST",
    body: captured as BodyInit,
  });
  assertEquals([resurrect.status, resurrect.text], [422, WRONG_TIME]);
  // Nor can the deleting entry itself be posted as a registration.
  const asRegistration = await call(`${d.url}/dmsg-discovery/entry/`, {
    method: "POST",
    body: marshalEntry(deletion) as BodyInit,
  });
  assertEquals(asRegistration.status, 422);
  assertEquals(await storedSequence(d, first), undefined);

  // The owner comes back (sequence 0, as Go clients start), and the old delete is replayed.
  d.clock.ms += 1000;
  const back = clientEntry(owner, d.clock);
  assertEquals((await post(d.url, back)).text, goMessage(200, "wrote a new entry"));
  const replayedDelete = await del(d, marshalEntry(deletion));
  assertEquals([replayedDelete.status, replayedDelete.text], [422, WRONG_TIME]);
  assertEquals(await storedSequence(d, first), 0n);

  // Once the tombstone has gone, everything signed before it is stale anyway.
  d.clock.ms += TOMBSTONE_TTL_MS + 1000;
  const late = await call(`${d.url}/dmsg-discovery/entry/`, {
    method: "POST",
    body: captured as BodyInit,
  });
  assertEquals(late.status, 422);
  const lateDelete = await del(d, marshalEntry(deletion));
  assertEquals([lateDelete.status, lateDelete.text], [422, OUTDATED]);
});

Deno.test("server entries: the served entry does not delete within its window either", async () => {
  await using d = await startTestDiscovery();
  const keys = generateKeyPair();
  // A server whose claim the discovery keeps as it is, so the served entry still verifies.
  const entry = serverEntry(keys, d.clock, { sessions: 10, serverType: "community" });
  await post(d.url, entry);
  const replay = await del(d, await served(d, entry));
  assertEquals([replay.status, replay.text], [422, WRONG_SEQUENCE]);
  d.clock.ms += 2000;
  const proof = serverEntry(keys, d.clock, { sequence: 1n, sessions: 10, serverType: "x" });
  assertEquals((await del(d, marshalEntry(proof))).status, 200);
  assertEquals(await storedSequence(d, entry), undefined);
});

Deno.test("Go's client flow: its delete (GET + DELETE as served) is refused, its restart works", async () => {
  await using d = await startTestDiscovery();
  const keys = generateKeyPair();
  await post(d.url, clientEntry(keys, d.clock, { clientType: "visor" }));
  // Go's `delEntry`: read the entry back and send it unchanged.
  const goDelete = await del(d, await served(d, clientEntry(keys, d.clock)));
  assertEquals(goDelete.status, 422);
  // Go's next start: GET, then PutEntry (sequence + 1, timestamp now, signed).
  d.clock.ms += 30_000;
  const client = new DiscoveryClient({ url: d.url, now: () => d.clock.ms });
  const put = await client.putEntry(await client.getEntry(keys.pk), keys.sk);
  assert(put.applied);
  assertEquals(put.entry.sequence, 1n);
});

Deno.test("EntryPublisher.retire deletes with a fresh iteration, also when its sequence is stale", async () => {
  await using d = await startTestDiscovery();
  const keys = generateKeyPair();
  // The publisher signs with the real clock; the discovery's follows it here.
  const discovery = new DiscoveryClient({ url: d.url });
  const tick = () => d.clock.ms = Date.now();
  const publisher = (
    build = (current: Entry | undefined) =>
      current ?? clientEntry(keys, d.clock, { clientType: "visor" }),
  ) =>
    new EntryPublisher({
      discovery,
      pk: keys.pk,
      sk: keys.sk,
      build,
      changed: () => false,
      debounceMs: 10,
      intervalMs: 60_000,
    });
  const first = publisher();
  tick();
  await first.publish();
  // Another writer with the same key moves the entry on: the publisher's sequence is stale.
  await new Promise((resolve) => setTimeout(resolve, 2));
  tick();
  const moved = await discovery.putEntry(await discovery.getEntry(keys.pk), keys.sk);
  assert(moved.applied);
  await new Promise((resolve) => setTimeout(resolve, 2));
  tick();
  await first.retire();
  assertEquals(await storedSequence(d, moved.entry), undefined);

  // A publisher that never published (its first post was cut off) still finds and deletes.
  await new Promise((resolve) => setTimeout(resolve, 2));
  tick();
  assertEquals((await post(d.url, clientEntry(keys, d.clock))).status, 200);
  await new Promise((resolve) => setTimeout(resolve, 2));
  tick();
  await publisher().retire();
  assertEquals(await storedSequence(d, moved.entry), undefined);
});
