import { assert, assertEquals } from "@std/assert";
import {
  findRoutes,
  type FoundHop,
  SEARCH_ERRORS,
  type SearchOptions,
} from "../../../services/route_finder/mod.ts";
import { chain, MemorySource, pks } from "./_graph.ts";

const opts = (o: Partial<SearchOptions> = {}): SearchOptions => ({
  minHops: 0,
  maxHops: 50,
  maxRoutes: 5,
  maxDepth: 16,
  maxVisited: 100_000,
  ...o,
});

function path(route: FoundHop[]): string[] {
  return [route[0].From, ...route.map((h) => h.To)];
}

Deno.test("search: one hop, with the transport's id", async () => {
  const source = new MemorySource();
  const [a, b] = pks(2);
  const id = source.link(a, b);
  assertEquals(await findRoutes(source, a, b, opts()), {
    ok: true,
    routes: [[{ TpID: id, From: a, To: b }]],
  });
});

Deno.test("search: hop limits pick among routes, shortest first", async () => {
  const source = new MemorySource();
  const [a, b, c, d] = pks(4);
  source.link(a, b); // direct
  source.link(a, c);
  source.link(c, b); // a-c-b
  source.link(c, d);
  source.link(d, b); // a-c-d-b is not on a shortest path to d's neighbours: d is reached from c
  const all = await findRoutes(source, a, b, opts());
  assert(all.ok);
  assertEquals(all.routes.map(path), [[a, b], [a, c, b], [a, c, d, b]]);
  const two = await findRoutes(source, a, b, opts({ minHops: 2, maxHops: 2 }));
  assert(two.ok);
  assertEquals(two.routes.map(path), [[a, c, b]]);
  assertEquals(await findRoutes(source, a, b, opts({ minHops: 4 })), {
    ok: false,
    error: SEARCH_ERRORS.notFound,
  });
});

Deno.test("search: a loop route from a visor to itself goes out and back (visor ping)", async () => {
  const source = new MemorySource();
  const [a, b] = pks(2);
  const id = source.link(a, b);
  const result = await findRoutes(source, a, a, opts({ maxHops: 2 }));
  assertEquals(result, {
    ok: true,
    routes: [[{ TpID: id, From: a, To: b }, { TpID: id, From: b, To: a }]],
  });
});

Deno.test("search: at most maxRoutes, and it stops reading once it has them", async () => {
  const source = new MemorySource();
  const [a, b, ...middle] = pks(12);
  for (const m of middle) {
    source.link(a, m);
    source.link(m, b);
  }
  // Far visors that a full search would have to read.
  const far = pks(3);
  source.link(middle[0], far[0]);
  source.link(far[0], far[1]);
  source.link(far[1], far[2]);
  const result = await findRoutes(source, a, b, opts());
  assert(result.ok);
  assertEquals(result.routes.length, 5);
  for (const route of result.routes) assertEquals(route.length, 2);
  assertEquals(source.reads, 2);
});

Deno.test("search: no transports, and no way to the destination, are Go's two 404 texts", async () => {
  const source = new MemorySource();
  const [a, b, c, d] = pks(4);
  assertEquals(await findRoutes(source, a, b, opts()), {
    ok: false,
    error: SEARCH_ERRORS.noTransports,
  });
  source.link(a, b);
  source.link(c, d);
  assertEquals(await findRoutes(source, a, d, opts()), {
    ok: false,
    error: SEARCH_ERRORS.noRoute,
  });
});

Deno.test("search: the depth limit caps what a request asks; one read per level", async () => {
  const { source, keys } = chain(30);
  assertEquals(await findRoutes(source, keys[0], keys[29], opts({ maxHops: 50 })), {
    ok: false,
    error: SEARCH_ERRORS.noRoute,
  });
  assertEquals(source.reads, 16);
  const near = await findRoutes(source, keys[0], keys[16], opts());
  assert(near.ok);
  assertEquals(path(near.routes[0]), keys.slice(0, 17));
});

Deno.test("search: iterative, so a very deep graph is no problem for the stack", async () => {
  const { source, keys } = chain(1_000);
  const result = await findRoutes(
    source,
    keys[0],
    keys[999],
    opts({
      maxHops: 1_000,
      maxDepth: 1_000,
    }),
  );
  assert(result.ok);
  assertEquals(result.routes[0].length, 999);
});

Deno.test("search: a visited bound keeps memory flat on a huge star", async () => {
  const source = new MemorySource();
  const [hub, dst] = pks(2);
  const leaves = pks(2_000);
  for (const leaf of leaves) source.link(hub, leaf);
  source.link(leaves.at(-1)!, dst);
  const bounded = await findRoutes(source, hub, dst, opts({ maxVisited: 100 }));
  // The bound stopped the search before the leaf that leads to dst: no route, and it asked
  // for no more than the bound's worth of visors.
  assertEquals(bounded, { ok: false, error: SEARCH_ERRORS.noRoute });
  assert(source.asked <= 1 + 100, `asked ${source.asked}`);
  const full = await findRoutes(source, hub, dst, opts());
  assert(full.ok);
});
