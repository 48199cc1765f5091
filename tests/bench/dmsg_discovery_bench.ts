/**
 * Two parts. Throughput (against Go's dmsg-discovery on Redis when `SKYWIRE_GO_REF_BIN` names
 * the Go binaries): CLIENTS_N signed client entries registered 3 times, looked up, looked up
 * absent, and `/entries` timed, each discovery in its own process; ratios ours/Go in the same
 * run, per CPU second of the processes (Go: discovery + Redis) and per wall second. The same load
 * against `_disc_floor.ts` (Deno KV and a TCP listener, no checks) shows how much of our peak RSS
 * is the runtime's.
 *
 * Then list floods on a `skywire dmsg discovery` child process (the attack of the hardening issue):
 * a store of 600 client entries with DELEGATED delegated servers each (default 64, the bound)
 * and their server entries, then 40 concurrent calls over every list endpoint, several rounds,
 * with a `/health` request made during each flood. Prints the flood's wall time, per-call
 * latencies, the health request's latency and the child's peak RSS.
 *
 * Compare checkouts with `SKYWIRE_ROOT=/path/to/other/checkout` (its main.ts and its store
 * code are used); `DELEGATED=850` reproduces the issue's entries where the checkout accepts
 * them.
 *
 * @module
 */
import { join } from "node:path";
import { generateKeyPair } from "../../mod/cipher/mod.ts";
import { createLogger } from "../../mod/log/mod.ts";
import { openStore } from "../../mod/store/mod.ts";
import {
  type EntryStore,
  listFlood,
  listPaths,
  peakRss,
  putEntries,
  rssMiB,
} from "../e2e/_attacks.ts";
import { SkywireProcess } from "../e2e/_skywire.ts";
import { type BenchReport, log } from "./_report.ts";
import { CONCURRENCY, makeLoad, measureTarget } from "./_disc_load.ts";
import { SHIPPED_V8_FLAGS } from "./_dmsg_processes.ts";
import { denoFloor, type DiscTarget, goDiscovery, ourDiscovery } from "./_disc_targets.ts";

const ROOT = Deno.env.get("SKYWIRE_ROOT") ?? new URL("../../", import.meta.url).pathname;
const DELEGATED = Number(Deno.env.get("DELEGATED") ?? 64);
const CLIENTS = 600;
const CALLS = 40;
const ROUNDS = 5;
const CLIENTS_N = Number(Deno.env.get("CLIENTS_N") ?? 1_000);
const REGISTER_ROUNDS = 3;
const LOOKUP_REPEATS = 5;
const PART = Deno.env.get("DISC_PART") ?? "all";

/** Fill with the checkout's own store code, so its layout is the one it reads. */
async function fill(storePath: string): Promise<string> {
  const mod = await import(join(ROOT, "services/dmsg_discovery/mod.ts"));
  const logger = createLogger({ level: "error" });
  const kv = await openStore({ path: storePath, logger });
  const store: EntryStore & { upgrade?(): Promise<void> } = new mod.DiscoveryStore(
    () => kv.kv,
    Date.now,
    logger,
  );
  const servers = Array.from({ length: DELEGATED }, generateKeyPair);
  try {
    await store.upgrade?.();
    await putEntries(store, {
      servers,
      clients: Array.from({ length: CLIENTS }, generateKeyPair),
      delegated: servers.map((k) => k.pk),
    });
  } finally {
    kv.close();
  }
  return servers[0].pk.hex();
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function measureIn(
  start: (dir: string) => Promise<DiscTarget>,
  load: ReturnType<typeof makeLoad>,
): Promise<Record<string, number>> {
  const dir = await Deno.makeTempDir({ prefix: "skywire-disc-bench-" });
  try {
    await using target = await start(dir);
    return await measureTarget(target, load, LOOKUP_REPEATS);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

const RATIO_KEYS = [
  "register_per_cpu_s",
  "register_per_s",
  "lookup_per_cpu_s",
  "lookup_per_s",
  "lookup_absent_per_cpu_s",
  "entries_p50_ms",
  "peak_rss_mib",
  "peak_rss_anon_mib",
  "peak_rss_file_mib",
];

/**
 * Ours against Go on Redis (when its binaries are given) and against Deno's floor for the same
 * load: figures and ratios ours/Go, and ours/floor for peak RSS.
 */
async function throughput(): Promise<BenchReport> {
  const load = makeLoad(CLIENTS_N, REGISTER_ROUNDS);
  const figures: Record<string, number> = {};
  const ratios: Record<string, number> = {};
  const notes: string[] = [];
  const ours = await measureIn((dir) => ourDiscovery(ROOT, dir), load);
  for (const [k, v] of Object.entries(ours)) figures[`ours_${k}`] = v;
  // What Deno itself needs for this load (KV + TCP, no checks): the part of ours that is not ours.
  const floor = await measureIn(denoFloor, load);
  for (const [k, v] of Object.entries(floor)) figures[`floor_${k}`] = v;
  ratios.peak_rss_mib_ours_over_floor = ours.peak_rss_mib / floor.peak_rss_mib;
  const bin = Deno.env.get("SKYWIRE_GO_REF_BIN");
  let go: Record<string, number> | undefined;
  if (bin) {
    go = await measureIn((dir) => goDiscovery(bin, dir), load);
    for (const [k, v] of Object.entries(go)) figures[`go_${k}`] = v;
    for (const k of RATIO_KEYS) ratios[`${k}_ours_over_go`] = ours[k] / go[k];
  } else notes.push("SKYWIRE_GO_REF_BIN not set: no Go comparison");
  log(
    `  ${CLIENTS_N} clients x ${REGISTER_ROUNDS} registrations, ${LOOKUP_REPEATS} lookups ` +
      `each, ${CONCURRENCY} in flight (${ROOT})`,
  );
  const row = (label: string, k: string, digits = 0) =>
    log(
      `    ${label.padEnd(26)} ours ${ours[k].toFixed(digits).padStart(9)}` +
        (go
          ? `   go ${go[k].toFixed(digits).padStart(9)}   ratio ${(ours[k] / go[k]).toFixed(2)}`
          : ""),
    );
  row("register /s (wall)", "register_per_s");
  row("register /CPU s", "register_per_cpu_s");
  row("GET entry /s (wall)", "lookup_per_s");
  row("GET entry /CPU s", "lookup_per_cpu_s");
  row("GET absent /s (wall)", "lookup_absent_per_s");
  row("GET absent /CPU s", "lookup_absent_per_cpu_s");
  row("/entries p50 ms", "entries_p50_ms", 2);
  row("/entries p99 ms", "entries_p99_ms", 2);
  row("/entries CPU ms/call", "entries_cpu_ms_per_call", 2);
  row("peak RSS MiB", "peak_rss_mib", 1);
  row("  of it anonymous", "peak_rss_anon_mib", 1);
  row("  of it mapped files", "peak_rss_file_mib", 1);
  log(
    `    Deno floor (KV + TCP, no checks): peak RSS ${floor.peak_rss_mib.toFixed(1)} MiB` +
      ` (anonymous ${floor.peak_rss_anon_mib.toFixed(1)}, files ${
        floor.peak_rss_file_mib.toFixed(1)
      })` +
      (go ? `, ${(floor.peak_rss_mib / go.peak_rss_mib).toFixed(2)}x Go's` : "") +
      `; register /CPU s ${floor.register_per_cpu_s.toFixed(0)}`,
  );
  const failed = ["register", "lookup", "lookup_absent", "entries"].map((p) =>
    `${p} ${ours[`${p}_failures`]}` + (go ? `/${go[`${p}_failures`]}` : "")
  );
  log(`    failed (ours${go ? "/go" : ""})  ${failed.join(", ")}`);
  return { name: "dmsg_discovery", figures, ratios, notes };
}

/** Run the parts picked by `DISC_PART` (`throughput`, `flood`, default both). */
export async function main(): Promise<BenchReport> {
  const report: BenchReport = { name: "dmsg_discovery", figures: {}, ratios: {}, notes: [] };
  if (PART !== "flood") {
    const t = await throughput();
    Object.assign(report.figures, t.figures);
    Object.assign(report.ratios, t.ratios);
    report.notes!.push(...(t.notes ?? []));
  }
  if (PART !== "throughput") {
    const f = await flood();
    for (const [k, v] of Object.entries(f.figures)) report.figures[`flood_${k}`] = v;
  }
  return report;
}

/** Run the floods; returns the figures. */
async function flood(): Promise<BenchReport> {
  const dir = await Deno.makeTempDir({ prefix: "skywire-disc-bench-" });
  try {
    const server = await fill(join(dir, "dmsg-discovery.kv"));
    await using disc = new SkywireProcess(
      ["dmsg", "discovery", "-t", "-a", "127.0.0.1:0", "--data", dir, "--log-level", "error"],
      // With the V8 flags it ships with, as the throughput part runs it.
      {
        launcher: [
          ...[Deno.execPath(), "run", "-A", "--unstable-kv", ...SHIPPED_V8_FLAGS],
          join(ROOT, "main.ts"),
        ],
      },
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

if (import.meta.main) {
  const report = await main();
  if (Deno.args.includes("--json")) console.log(JSON.stringify(report, null, 2));
}
