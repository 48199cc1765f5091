/**
 * List floods on a `skywire dmsg discovery` child process (the attack of the hardening issue):
 * a store of 600 client entries with DELEGATED delegated servers each (default 64, the bound)
 * and their server entries, then 40 concurrent calls over every list endpoint, several rounds,
 * with a `/health` request made during each flood. Prints the flood's wall time, per-call
 * latencies, the health request's latency and the child's peak RSS.
 *
 * Compare checkouts with `SKYWIRE_ROOT=/path/to/other/checkout` (its main.ts and its store
 * code are used); `DELEGATED=850` reproduces the entries where the checkout accepts
 * them.
 *
 * @module
 */
import { join } from "node:path";
import { generateKeyPair } from "../../mod/cipher/mod.ts";
import {
  marshalEntry,
  newClientEntry,
  newServerEntry,
  nowNanos,
  signEntry,
} from "../../mod/dmsg/mod.ts";
import { createLogger } from "../../mod/log/mod.ts";
import { openStore } from "../../mod/store/mod.ts";
import { listFlood, listPaths, peakRss, rssMiB } from "../e2e/_attacks.ts";
import { SkywireProcess } from "../e2e/_skywire.ts";
import { type BenchReport, log } from "./_report.ts";

const ROOT = Deno.env.get("SKYWIRE_ROOT") ?? new URL("../../", import.meta.url).pathname;
const DELEGATED = Number(Deno.env.get("DELEGATED") ?? 64);
const CLIENTS = 600;
const CALLS = 40;
const ROUNDS = 5;

interface StoreLike {
  get(pk: string): Promise<unknown>;
  put(entry: unknown, body: Uint8Array, ttl: number, read: unknown): Promise<boolean>;
  upgrade?(): Promise<void>;
}

/** Fill with the checkout's own store code, so its layout is the one it reads. */
async function fill(storePath: string): Promise<string> {
  const mod = await import(join(ROOT, "services/dmsg_discovery/mod.ts"));
  const logger = createLogger({ level: "error" });
  const kv = await openStore({ path: storePath, logger });
  const store: StoreLike = new mod.DiscoveryStore(() => kv.kv, Date.now, logger);
  const servers = Array.from({ length: DELEGATED }, generateKeyPair);
  try {
    await store.upgrade?.();
    const timestamp = nowNanos();
    for (const [i, keys] of servers.entries()) {
      const entry = signEntry(
        newServerEntry({
          pk: keys.pk,
          sequence: 0n,
          timestamp,
          address: `198.51.100.${i % 250}:${8000 + i}`,
          availableSessions: 100 + i,
        }),
        keys.sk,
      );
      await store.put(entry, marshalEntry(entry), 0, await store.get(keys.pk.hex()));
    }
    for (let i = 0; i < CLIENTS; i++) {
      const keys = generateKeyPair();
      const entry = signEntry(
        newClientEntry({
          pk: keys.pk,
          sequence: 0n,
          timestamp,
          delegatedServers: servers.map((k) => k.pk),
          clientType: "visor",
        }),
        keys.sk,
      );
      await store.put(entry, marshalEntry(entry), 0, await store.get(keys.pk.hex()));
    }
  } finally {
    kv.close();
  }
  return servers[0].pk.hex();
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** Run the floods; returns the figures. */
export async function main(): Promise<BenchReport> {
  const dir = await Deno.makeTempDir({ prefix: "skywire-disc-bench-" });
  try {
    const server = await fill(join(dir, "dmsg-discovery.kv"));
    await using disc = new SkywireProcess(
      ["dmsg", "discovery", "-t", "-a", "127.0.0.1:0", "--data", dir, "--log-level", "error"],
      { launcher: [Deno.execPath(), "run", "-A", "--unstable-kv", join(ROOT, "main.ts")] },
    );
    const url = (await disc.line(/^http/, 60_000)).trim();
    const paths = listPaths(server);
    await listFlood(url, paths, paths.length);
    const baseline = rssMiB(disc.pid);
    const floods: number[] = [];
    const health: number[] = [];
    let peak = baseline;
    let failed = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      const probe = (async () => {
        await new Promise((r) => setTimeout(r, 5));
        const t = performance.now();
        await (await fetch(`${url}/health`)).body?.cancel();
        health.push(performance.now() - t);
      })();
      const { result, peakMiB } = await peakRss(
        disc.pid,
        Promise.all([listFlood(url, paths, CALLS), probe]),
      );
      floods.push(performance.now() - started);
      failed += result[0].filter((a) => a.status !== 200).length;
      peak = Math.max(peak, peakMiB);
    }
    const figures = {
      delegated: DELEGATED,
      flood_p50_ms: percentile(floods, 0.5),
      flood_max_ms: Math.max(...floods),
      health_during_flood_max_ms: Math.max(...health),
      rss_baseline_mib: baseline,
      rss_peak_mib: peak,
      failed_calls: failed,
    };
    log(
      `  ${CLIENTS} clients x ${DELEGATED} delegated, ${CALLS} concurrent list calls, ` +
        `${ROUNDS} rounds (${ROOT})`,
    );
    log(
      `    flood wall time   p50 ${figures.flood_p50_ms.toFixed(0)} ms, ` +
        `max ${figures.flood_max_ms.toFixed(0)} ms`,
    );
    log(`    /health meanwhile max ${figures.health_during_flood_max_ms.toFixed(0)} ms`);
    log(`    RSS               ${baseline.toFixed(0)} -> peak ${peak.toFixed(0)} MiB`);
    log(`    failed calls      ${failed}`);
    await disc.stop("SIGTERM");
    return { name: "dmsg_discovery", figures, ratios: {} };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await main();
