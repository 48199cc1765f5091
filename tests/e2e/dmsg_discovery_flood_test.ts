/**
 * List floods against a running `skywire dmsg discovery` whose store holds 600 client entries
 * at the delegated-server bound (64 each) and their servers: 40 concurrent calls over every
 * list endpoint, from one address, under its rate limit. Every answer is bounded, the process's
 * memory stays bounded, and a cheap request made during the flood is answered. (The issue saw
 * 5.5 GB and a 20 s stall with 850 delegated servers per entry; timings are in
 * tests/bench/dmsg_discovery_bench.ts, not asserted here.)
 */
import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import { MAX_DELEGATED_SERVERS, MAX_LISTED_CLIENTS } from "../../services/dmsg_discovery/mod.ts";
import { tempDir } from "../_util/temp_dir.ts";
import { fillDiscovery, listFlood, listPaths, peakRss, rssMiB } from "./_attacks.ts";
import { SkywireProcess } from "./_skywire.ts";

Deno.test("40 concurrent list calls over 600 full entries: bounded answers, bounded memory, responsive", async () => {
  await using dir = await tempDir();
  const filled = await fillDiscovery(join(dir.path, "dmsg-discovery.kv"), { clients: 600 });
  await using disc = new SkywireProcess([
    "dmsg",
    "discovery",
    "-t",
    "-a",
    "127.0.0.1:0",
    "--data",
    dir.path,
    "--log-level",
    "warn",
  ]);
  const url = (await disc.line(/^http/)).trim();
  const paths = listPaths(filled.servers[0].pk.hex());
  // Warm up once (module code, first KV reads), then measure from there.
  await listFlood(url, paths, paths.length);
  const baseline = rssMiB(disc.pid);

  for (let round = 0; round < 3; round++) {
    let healthMs = -1;
    const health = (async () => {
      await new Promise((r) => setTimeout(r, 5));
      const started = performance.now();
      const res = await fetch(`${url}/health`);
      await res.body?.cancel();
      healthMs = performance.now() - started;
      return res.status;
    })();
    const { result, peakMiB } = await peakRss(
      disc.pid,
      Promise.all([listFlood(url, paths, 40), health]),
    );
    const [answers, healthStatus] = result;
    assertEquals(healthStatus, 200);
    assert(healthMs >= 0 && healthMs < 10_000, `health answered in ${healthMs} ms`);
    for (const answer of answers) assertEquals(answer.status, 200, answer.path);
    const entries = answers.find((a) => a.path.endsWith("/entries"))!;
    // 600 keys of 66 hex digits, quoted, comma-separated.
    assertEquals(entries.bytes, 600 * 69 + 1);
    const grouped = answers.find((a) => a.path.endsWith("/servers/clients"))!;
    assert(grouped.bytes < MAX_DELEGATED_SERVERS * 600 * 69 + 64 * 80, `${grouped.bytes} bytes`);
    assert(entries.bytes <= MAX_LISTED_CLIENTS * 69 + 1);
    assert(
      peakMiB - baseline < 150,
      `round ${round}: RSS ${baseline.toFixed(0)} -> ${peakMiB.toFixed(0)} MiB`,
    );
  }
  const stopped = await disc.stop("SIGTERM");
  assertEquals(stopped.code, 0, stopped.stderr);
  assert(!stopped.stderr.includes("ERROR"), stopped.stderr);
});
