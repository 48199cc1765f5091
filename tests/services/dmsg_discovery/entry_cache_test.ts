import { assertEquals } from "@std/assert";
import { EntryCache } from "../../../services/dmsg_discovery/mod.ts";

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);

async function* entries(
  list: Array<[string, Uint8Array, number]>,
): AsyncIterable<[string, Uint8Array, number, string]> {
  for (const [pk, body, expiresAt] of list) yield [pk, body, expiresAt, `v-${pk}`];
}

Deno.test("entry cache: hits, misses, expiry, and writes replace or remove", () => {
  const cache = new EntryCache(10_000);
  assertEquals(cache.lookup("a", 0), { kind: "unknown" });
  cache.stored("a", bytes(10), 0, "v");
  cache.stored("b", bytes(10), 100, "v");
  assertEquals(cache.lookup("a", 50), { kind: "hit", body: bytes(10), versionstamp: "v" });
  assertEquals(cache.lookup("b", 99), { kind: "hit", body: bytes(10), versionstamp: "v" });
  // Expired: absent for sure (the store's record carries the same expiry), and counted out.
  assertEquals(cache.lookup("b", 100).kind, "absent");
  assertEquals(cache.size, 1);
  cache.stored("a", bytes(20, 2), 0, "v");
  assertEquals(cache.lookup("a", 0), { kind: "hit", body: bytes(20, 2), versionstamp: "v" });
  cache.removed("a");
  assertEquals(cache.lookup("a", 0).kind, "unknown");
  assertEquals(cache.size, 0);
  assertEquals(cache.bytes, 0);
});

Deno.test("entry cache: bounded in bytes, least recently used out first", () => {
  // Each entry counts its bytes plus a fixed overhead (160): room for three of 100 bytes.
  const cache = new EntryCache(3 * 260);
  cache.stored("a", bytes(100), 0, "v");
  cache.stored("b", bytes(100), 0, "v");
  cache.stored("c", bytes(100), 0, "v");
  assertEquals(cache.lookup("a", 0).kind, "hit"); // a is now the most recent
  cache.stored("d", bytes(100), 0, "v");
  assertEquals(cache.lookup("b", 0).kind, "unknown");
  for (const k of ["a", "c", "d"]) assertEquals(cache.lookup(k, 0).kind, "hit", k);
  assertEquals(cache.bytes, 3 * 260);
  // Larger than the whole budget: not held, and the old value is not served either.
  cache.stored("a", bytes(5_000), 0, "v");
  assertEquals(cache.lookup("a", 0).kind, "unknown");
  assertEquals(cache.bytes, 2 * 260);
  // Size 0 holds nothing.
  const none = new EntryCache(0);
  none.stored("a", bytes(1), 0, "v");
  assertEquals(none.lookup("a", 0).kind, "unknown");
});

Deno.test("entry cache: complete after a load that fits; a miss is then absent until eviction", async () => {
  const cache = new EntryCache(3 * 260);
  await cache.load(entries([["a", bytes(100), 0], ["b", bytes(100), 0]]));
  assertEquals(cache.complete, true);
  assertEquals(cache.lookup("zz", 0), { kind: "absent" });
  cache.stored("c", bytes(100), 0, "v");
  assertEquals(cache.complete, true);
  // An eviction: the cache no longer knows every entry.
  cache.stored("d", bytes(100), 0, "v");
  assertEquals(cache.complete, false);
  assertEquals(cache.lookup("a", 0), { kind: "unknown" });
  // A load over budget is partial and not complete; clear() forgets everything.
  await cache.load(entries([["a", bytes(300), 0], ["b", bytes(300), 0], ["c", bytes(300), 0]]));
  assertEquals(cache.complete, false);
  assertEquals(cache.lookup("a", 0).kind, "hit");
  cache.clear();
  assertEquals([cache.size, cache.bytes, cache.complete], [0, 0, false]);
});

Deno.test("entry cache: a store read does not overwrite a write that landed meanwhile", () => {
  const cache = new EntryCache(10_000);
  const before = cache.writes;
  // The read started, then a write committed the new entry, then the read came back.
  cache.stored("a", bytes(10, 2), 0, "v");
  cache.fill("a", bytes(10, 1), 0, "v", before);
  assertEquals(cache.lookup("a", 0), { kind: "hit", body: bytes(10, 2), versionstamp: "v" });
  // The same for a deletion: the old entry must not come back.
  const again = cache.writes;
  cache.removed("a");
  cache.fill("a", bytes(10, 2), 0, "v", again);
  assertEquals(cache.lookup("a", 0).kind, "unknown");
  // With no write meanwhile the read is kept.
  cache.fill("a", bytes(10, 3), 0, "v", cache.writes);
  assertEquals(cache.lookup("a", 0), { kind: "hit", body: bytes(10, 3), versionstamp: "v" });
});
