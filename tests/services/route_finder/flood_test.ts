// Many requests at once over a large graph: searches never exceed the limit, the rest are
// turned away at once, and everything is answered.
import { assert, assertEquals } from "@std/assert";
import { startRouteFinder } from "../../../services/route_finder/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { MemorySource, pks } from "./_graph.ts";

Deno.test("flood: 400 requests at once; at most maxConcurrent searches, all answered", async () => {
  const source = new MemorySource();
  // A 20 × 20 grid: long searches with many visors.
  const side = 20;
  const keys = pks(side * side);
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      if (c + 1 < side) source.link(keys[r * side + c], keys[r * side + c + 1]);
      if (r + 1 < side) source.link(keys[r * side + c], keys[(r + 1) * side + c]);
    }
  }
  const rf = await startRouteFinder({
    source,
    logger: captureLogger(),
    ipRateLimit: false,
    // All 400 come from 127.0.0.1: lift the per-IP connection cap (64) with the rate limit, so
    // what is measured is the search limit, not the slowloris guard.
    httpLimits: { maxConnectionsPerIp: 512 },
    maxConcurrent: 4,
  });
  let peak = 0;
  const sampler = setInterval(() => peak = Math.max(peak, rf.running), 1);
  try {
    // 14 hops apart, within the depth limit: each search reads 14 levels of the grid.
    const far = keys[7 * side + 7];
    const body = JSON.stringify({
      Edges: [`${keys[0]}:${far}`, `${far}:${keys[0]}`],
      Opts: { MinHops: 0, MaxHops: 50 },
    });
    const statuses = await Promise.all(
      Array.from({ length: 400 }, async () => {
        const res = await fetch(`${rf.url}/routes`, { method: "POST", body });
        await res.body?.cancel();
        return res.status;
      }),
    );
    const ok = statuses.filter((s) => s === 200).length;
    const busy = statuses.filter((s) => s === 503).length;
    assertEquals(ok + busy, 400);
    assert(ok >= 4, `only ${ok} answered with routes`);
    assert(peak <= 4, `peak ${peak}`);
    assertEquals(rf.running, 0);
  } finally {
    clearInterval(sampler);
    await rf.close();
  }
});
