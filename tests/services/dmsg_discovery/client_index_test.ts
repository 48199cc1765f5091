import { assertEquals } from "@std/assert";
import { ClientIndex } from "../../../services/dmsg_discovery/mod.ts";

async function* pairs(list: Array<[string, number]>): AsyncIterable<[string, number]> {
  yield* list;
}

Deno.test("client index: incomplete until loaded; keys in order, visors apart, expiry, writes", async () => {
  const index = new ClientIndex(10);
  assertEquals(index.keys({ visorsOnly: false, limit: 10, now: 0 }), undefined);
  await index.load(pairs([["c", 0], ["a", 100], ["b", 0]]), pairs([["b", 0]]));
  assertEquals(index.complete, true);
  assertEquals(index.keys({ visorsOnly: false, limit: 10, now: 50 }), ["a", "b", "c"]);
  assertEquals(index.keys({ visorsOnly: true, limit: 10, now: 50 }), ["b"]);
  assertEquals(index.keys({ visorsOnly: false, limit: 2, now: 50 }), ["a", "b"]);
  // Expired: left out, and dropped.
  assertEquals(index.keys({ visorsOnly: false, limit: 10, now: 100 }), ["b", "c"]);
  assertEquals(index.size, 2);
  // An update to a server entry, a visor that becomes a plain client, a deletion.
  index.stored("c", undefined);
  index.stored("b", { visor: false, expiresAt: 0 });
  index.stored("d", { visor: true, expiresAt: 0 });
  assertEquals(index.keys({ visorsOnly: false, limit: 10, now: 100 }), ["b", "d"]);
  assertEquals(index.keys({ visorsOnly: true, limit: 10, now: 100 }), ["d"]);
  index.removed("d");
  assertEquals(index.keys({ visorsOnly: true, limit: 10, now: 100 }), []);
});

Deno.test("client index: past its bound it lets go and the store is listed instead", async () => {
  const index = new ClientIndex(2);
  await index.load(pairs([["a", 0], ["b", 0], ["c", 0]]), pairs([]));
  assertEquals(index.complete, false);
  assertEquals(index.size, 0);
  await index.load(pairs([["a", 0]]), pairs([]));
  index.stored("b", { visor: false, expiresAt: 0 });
  assertEquals(index.complete, true);
  index.stored("b", { visor: true, expiresAt: 0 }); // an update: not a new key
  assertEquals(index.complete, true);
  index.stored("c", { visor: false, expiresAt: 0 });
  assertEquals([index.complete, index.size], [false, 0]);
  assertEquals(index.keys({ visorsOnly: false, limit: 10, now: 0 }), undefined);
});
