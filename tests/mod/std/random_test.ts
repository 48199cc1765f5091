import { assertEquals, assertNotEquals } from "@std/assert";
import { shuffle } from "@std/random";
import { mulberry32 } from "../../_util/prng.ts";

Deno.test("shuffle returns a permutation in a new array and leaves the input alone", () => {
  const items = Array.from({ length: 50 }, (_, i) => i);
  const shuffled = shuffle(items, { prng: mulberry32(7) });
  assertEquals(items, Array.from({ length: 50 }, (_, i) => i));
  assertEquals([...shuffled].sort((a, b) => a - b), items);
  assertNotEquals(shuffled, items);
  assertEquals(shuffle(items, { prng: mulberry32(7) }), shuffled);
  assertEquals(shuffle([]), []);
});

Deno.test("shuffle reaches every position: each item lands everywhere over many runs", () => {
  const prng = mulberry32(11);
  const seen = Array.from({ length: 5 }, () => new Set<number>());
  for (let run = 0; run < 500; run++) {
    shuffle([0, 1, 2, 3, 4], { prng }).forEach((item, at) => seen[item].add(at));
  }
  for (const positions of seen) assertEquals(positions.size, 5);
});
