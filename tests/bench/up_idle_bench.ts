/**
 * Idle `skywire up` (issue 13: ≤ 60 MiB RSS and < 0.2 % of a core): where its memory goes and
 * how much CPU it burns doing nothing, against a bare `deno run` of an idle script measured in
 * the same run.
 *
 * Every variant is a child process started the way the `start` task starts `up` (the task's
 * runtime flags such as `--v8-flags` and `--no-code-cache`, all ports 0, info logging), through
 * `_up_child.ts` (= `main.ts` plus a SIGUSR1 listener that prints `Deno.memoryUsage()`):
 *
 * - `baseline`: `deno run` of a script that loads nothing and waits;
 * - `up`: `deno run main.ts up` (what `deno task start` runs);
 * - `bundle`: the same code as one `deno bundle` file run from an empty directory (what CI
 *   checks and operators may run);
 * - `up_arena2`: `up` with `MALLOC_ARENA_MAX=2` (glibc keeps fewer per-thread arenas);
 * - `*_trim`: the same with `MALLOC_TRIM_THRESHOLD_=131072`, which stops glibc from raising its
 *   trim and mmap thresholds after large frees (the systemd unit sets it): memory freed after
 *   start-up goes back to the system instead of staying in the allocator;
 * - `up_cold`: `up` as the first run after a fresh clone or a change: a `DENO_DIR` of its own
 *   each round, with the npm packages linked in but no transpile cache, so it transpiles every
 *   module at start (which frees tens of MiB in glibc's arenas; `up` trims them once started).
 *
 * All variants of a round run side by side. After start-up they idle `--idle-s` seconds, then
 * RSS comes from /proc/PID/status (anonymous = V8 heap + native; file = the mapped `deno`
 * binary and libraries), the V8 heap from the child, and CPU from /proc/PID/stat over the next
 * `--cpu-s` seconds. Figures are medians over `--runs` rounds.
 *
 * With `--soak-min=N` the variants instead idle side by side for N minutes (one round), sampled
 * every `--sample-s` seconds (RSS, anonymous, file, V8 heap, external), to tell a leak from V8
 * settling: the V8 heap is also read after a full GC at the start and the end (`_up_child.ts`,
 * SIGUSR2), so `*_soak_gc_heap_growth_mib` is what the process keeps, and `*_soak_rss_growth_mib`
 * what it holds. The series starts after that first collection.
 *
 * Run: `deno task bench up_idle [--json] [--runs=3] [--idle-s=30] [--cpu-s=60]
 * [--soak-min=20 [--sample-s=30]]`
 *
 * @module
 */
import { join } from "node:path";
import { cpuMs } from "./_dmsg_processes.ts";
import { type BenchReport, log } from "./_report.ts";
import { median } from "./_rounds.ts";
import { SkywireProcess } from "../e2e/_skywire.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const CHILD = new URL("./_up_child.ts", import.meta.url).pathname;
/** The issue's goals. */
const GOAL_RSS_MIB = 60;
const GOAL_CPU_PERCENT = 0.2;
const MIB = 1024 * 1024;
const TRIM_ENV = { MALLOC_TRIM_THRESHOLD_: "131072" };

function numberFlag(name: string, fallback: number): number {
  const arg = Deno.args.find((a) => a.startsWith(`--${name}=`));
  const value = arg ? Number(arg.slice(name.length + 3)) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} wants a positive number`);
  return value;
}

/**
 * The runtime flags of the `start` task (`--v8-flags=...`, `--no-code-cache`; not the
 * permissions), so the children run as `deno task start` does.
 */
function startTaskFlags(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(join(ROOT, "deno.json")));
  return String(config.tasks.start).split(" ").filter((w) => w.startsWith("--"));
}

const UP_ARGS = [
  "up",
  "--json",
  ...[
    "discovery-port",
    "server-port",
    "transport-discovery-port",
    "route-finder-port",
    "address-resolver-port",
    "cli-port",
    "exit-cli-port",
    "socks-port",
    "ui-port",
  ].flatMap((name) => [`--${name}`, "0"]),
];

interface Variant {
  name: string;
  launcher: string[];
  args: (dataDir: string) => string[];
  cwd?: string;
  env?: Record<string, string>;
  /** The npm cache to link into a fresh, empty `DENO_DIR` each round (a cold start). */
  coldNpmCache?: string;
}

/** A round's figures of one variant: its memory after the idle time, its CPU after that. */
interface Sample extends Reading {
  cpuPercent: number;
}

function status(pid: number): Record<string, number> {
  const text = Deno.readTextFileSync(`/proc/${pid}/status`);
  const out: Record<string, number> = {};
  for (const key of ["VmRSS", "RssAnon", "RssFile", "Threads"]) {
    const match = text.match(new RegExp(`^${key}:\\s+(\\d+)`, "m"));
    out[key] = match ? Number(match[1]) : NaN;
  }
  return out;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Start every variant side by side (each with its own data directory), wait until all are up,
 * run `measure`, then stop them and remove their state.
 */
async function withChildren<T>(
  variants: Variant[],
  measure: (children: SkywireProcess[]) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "skywire-up-idle-" });
  const env = async (v: Variant) => {
    if (v.coldNpmCache === undefined) return v.env;
    const denoDir = join(dir, `${v.name}.deno`);
    await Deno.mkdir(denoDir);
    await Deno.symlink(v.coldNpmCache, join(denoDir, "npm"));
    return { ...v.env, DENO_DIR: denoDir };
  };
  const envs = await Promise.all(variants.map(env));
  const children = variants.map((v, i) =>
    new SkywireProcess(v.args(join(dir, v.name)), {
      launcher: v.launcher,
      cwd: v.cwd,
      env: envs[i],
    })
  );
  try {
    await Promise.all(children.map((c) => c.line(/^\{/, 180_000)));
    return await measure(children);
  } finally {
    for (const child of children) child.kill("SIGINT");
    await Promise.all(children.map((c) => c.exit().catch(() => {})));
    await Deno.remove(dir, { recursive: true });
  }
}

/** Where this Deno keeps npm packages (`deno info --json`'s `npmCache`). */
async function npmCache(deno: string): Promise<string> {
  const out = await new Deno.Command(deno, { args: ["info", "--json"], stdout: "piped" }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).npmCache;
}

/** One round: every variant side by side, measured at the same moments. */
async function round(
  variants: Variant[],
  idleS: number,
  cpuS: number,
): Promise<Map<string, Sample>> {
  return await withChildren(variants, async (children) => {
    await sleep(idleS * 1000);
    const memory = await Promise.all(children.map((c) => reading(c, 0, "SIGUSR1")));
    const before = children.map((c) => cpuMs(c.pid) / 1000);
    const started = performance.now();
    await sleep(cpuS * 1000);
    const wall = (performance.now() - started) / 1000;
    const after = children.map((c) => cpuMs(c.pid) / 1000);
    const samples = new Map<string, Sample>();
    variants.forEach((v, i) => {
      samples.set(v.name, { ...memory[i], cpuPercent: 100 * (after[i] - before[i]) / wall });
    });
    return samples;
  });
}

/** A child's memory at one moment (`t` seconds into a soak). */
interface Reading {
  t: number;
  rss: number;
  anon: number;
  file: number;
  threads: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  cpuMs: number;
}

/**
 * `Deno.memoryUsage()` from the child: SIGUSR1 as it is, SIGUSR2 after a full GC. Earlier
 * MEMORY lines stay in the child's log, so only one printed after the signal counts.
 */
async function memoryOf(
  child: SkywireProcess,
  signal: "SIGUSR1" | "SIGUSR2",
): Promise<Deno.MemoryUsage> {
  const seen = child.stderr.length;
  child.kill(signal);
  const end = Date.now() + 10_000;
  for (;;) {
    const line = child.stderr.slice(seen).find((l) => l.startsWith("MEMORY "));
    if (line) return JSON.parse(line.slice("MEMORY ".length));
    if (Date.now() > end) throw new Error(`no MEMORY line after ${signal}`);
    await sleep(50);
  }
}

async function reading(
  child: SkywireProcess,
  t: number,
  signal: "SIGUSR1" | "SIGUSR2",
): Promise<Reading> {
  // /proc before a plain reading (the report itself allocates), after a collection.
  let proc = status(child.pid);
  const heap = await memoryOf(child, signal);
  if (signal === "SIGUSR2") proc = status(child.pid);
  return {
    t,
    rss: proc.VmRSS * 1024,
    anon: proc.RssAnon * 1024,
    file: proc.RssFile * 1024,
    threads: proc.Threads,
    heapTotal: heap.heapTotal,
    heapUsed: heap.heapUsed,
    external: heap.external,
    cpuMs: cpuMs(child.pid),
  };
}

/** What one variant did over a soak. */
interface Soak {
  series: Reading[];
  /** After a full GC just before the series starts and just after it ends. */
  gcStart: Reading;
  gcEnd: Reading;
}

/** Every variant side by side for `minutes`, sampled every `everyS` seconds. */
async function soak(
  variants: Variant[],
  idleS: number,
  minutes: number,
  everyS: number,
): Promise<Map<string, Soak>> {
  return await withChildren(variants, async (children) => {
    const all = (t: number, signal: "SIGUSR1" | "SIGUSR2") =>
      Promise.all(children.map((c) => reading(c, t, signal)));
    await sleep(idleS * 1000);
    const gcStart = await all(0, "SIGUSR2");
    const series: Reading[][] = [];
    const started = performance.now();
    for (let i = 0;; i++) {
      const wait = started + i * everyS * 1000 - performance.now();
      if (wait > 0) await sleep(wait);
      const t = (performance.now() - started) / 1000;
      const points = await all(t, "SIGUSR1");
      series.push(points);
      log(
        `  ${(t / 60).toFixed(1).padStart(5)} min  RSS MiB: ${
          variants.map((v, j) => `${v.name} ${(points[j].rss / MIB).toFixed(1)}`).join(", ")
        }`,
      );
      if (t >= minutes * 60 - everyS / 2) break;
    }
    const gcEnd = await all(series.at(-1)![0].t, "SIGUSR2");
    return new Map(variants.map((v, j) => [v.name, {
      series: series.map((points) => points[j]),
      gcStart: gcStart[j],
      gcEnd: gcEnd[j],
    }]));
  });
}

/** The soak's figures of one variant (MiB; growth per hour over the second half). */
function soakFigures(name: string, run: Soak): Record<string, number> {
  const first = run.series[0], last = run.series.at(-1)!;
  const mid = run.series[Math.floor((run.series.length - 1) / 2)];
  const hours = (last.t - mid.t) / 3600;
  const mib = (bytes: number) => bytes / MIB;
  return {
    [`${name}_soak_min`]: last.t / 60,
    [`${name}_soak_rss_start_mib`]: mib(first.rss),
    [`${name}_soak_rss_end_mib`]: mib(last.rss),
    [`${name}_soak_rss_growth_mib`]: mib(last.rss - first.rss),
    [`${name}_soak_anon_growth_mib`]: mib(last.anon - first.anon),
    [`${name}_soak_heap_total_growth_mib`]: mib(last.heapTotal - first.heapTotal),
    [`${name}_soak_rss_late_mib_per_h`]: hours > 0 ? mib(last.rss - mid.rss) / hours : 0,
    [`${name}_soak_gc_heap_start_mib`]: mib(run.gcStart.heapUsed),
    [`${name}_soak_gc_heap_end_mib`]: mib(run.gcEnd.heapUsed),
    [`${name}_soak_gc_heap_growth_mib`]: mib(run.gcEnd.heapUsed - run.gcStart.heapUsed),
    [`${name}_soak_rss_after_gc_mib`]: mib(run.gcEnd.rss),
    [`${name}_soak_cpu_percent`]: last.t > 0 ? 100 * (last.cpuMs - first.cpuMs) / 1000 / last.t : 0,
  };
}

/** Run the soak and report it (instead of the idle and CPU rounds). */
async function soakReport(
  variants: Variant[],
  idleS: number,
  minutes: number,
  everyS: number,
  notes: string[],
): Promise<BenchReport> {
  log(`  soak: ${minutes} min, a sample every ${everyS} s, a full GC at both ends`);
  const runs = await soak(variants, idleS, minutes, everyS);
  const figures: Record<string, number> = {};
  const ratios: Record<string, number> = {};
  log(
    "  variant          RSS MiB start -> end (late MiB/h)  anon +MiB  heap +MiB  " +
      "GC'd heap MiB start -> end  RSS after GC  CPU %",
  );
  for (const { name } of variants) {
    const f = soakFigures(name, runs.get(name)!);
    Object.assign(figures, f);
    ratios[`${name}_soak_rss_end_over_start`] = f[`${name}_soak_rss_end_mib`] /
      f[`${name}_soak_rss_start_mib`];
    ratios[`${name}_soak_gc_heap_end_over_start`] = f[`${name}_soak_gc_heap_end_mib`] /
      f[`${name}_soak_gc_heap_start_mib`];
    const n = (key: string, digits = 1) => f[`${name}_soak_${key}`].toFixed(digits);
    log(
      `  ${name.padEnd(15)} ${n("rss_start_mib").padStart(8)} -> ${n("rss_end_mib")} (${
        n("rss_late_mib_per_h")
      })  ${n("anon_growth_mib").padStart(9)} ${n("heap_total_growth_mib").padStart(10)}  ${
        n("gc_heap_start_mib", 2).padStart(13)
      } -> ${n("gc_heap_end_mib", 2)}  ${n("rss_after_gc_mib").padStart(12)}  ${
        n("cpu_percent", 3)
      }`,
    );
  }
  for (const note of notes) log(`  ${note}`);
  return { name: "up_idle", figures, ratios, notes };
}

interface GraphModule {
  specifier: string;
  kind?: string;
  dependencies?: { code?: { specifier?: string }; isDynamic?: boolean }[];
}

/**
 * The modules `skywire up` evaluates at start: what `main.ts` imports statically, plus the
 * static closure of `up`'s command module (the CLI imports it when `up` is chosen). Other
 * dynamic imports load later, when used, and are not counted.
 */
async function loadedAtStart(): Promise<{ modules: number; npmPackages: number }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", join(ROOT, "main.ts")],
    cwd: ROOT,
    stdout: "piped",
    stderr: "null",
  }).output();
  const info = JSON.parse(new TextDecoder().decode(out.stdout));
  const modules = new Map<string, GraphModule>(
    (info.modules as GraphModule[]).map((m) => [m.specifier, m]),
  );
  const redirects: Record<string, string> = info.redirects ?? {};
  const seen = new Set<string>();
  const visit = (specifier: string) => {
    specifier = redirects[specifier] ?? specifier;
    if (seen.has(specifier)) return;
    seen.add(specifier);
    for (const dep of modules.get(specifier)?.dependencies ?? []) {
      if (!dep.isDynamic && dep.code?.specifier) visit(dep.code.specifier);
    }
  };
  visit(new URL("main.ts", `file://${ROOT}`).href);
  visit(new URL("services/up/commands.ts", `file://${ROOT}`).href);
  // npm specifiers (`npm:/@noble/curves@2.4.0/secp256k1.js`) end the walk: count packages.
  const npm = new Set(
    [...seen].map((s) => s.match(/^npm:\/?((?:@[^/]+\/)?[^@/]+)/)?.[1]).filter(Boolean),
  );
  return {
    modules: [...seen].filter((s) => modules.get(s)?.kind !== "npm").length,
    npmPackages: npm.size,
  };
}

/** Start `up` and a bare baseline side by side, idle, and report memory and CPU. */
export async function main(): Promise<BenchReport> {
  const runs = numberFlag("runs", 1);
  const idleS = numberFlag("idle-s", 30);
  const cpuS = numberFlag("cpu-s", 60);
  const soakMin = Deno.args.some((a) => a.startsWith("--soak-min="))
    ? numberFlag("soak-min", 20)
    : 0;
  const sampleS = numberFlag("sample-s", 30);
  const flags = startTaskFlags();
  const deno = Deno.execPath();
  const config = ["--config", join(ROOT, "deno.json")];

  const bundleDir = await Deno.makeTempDir({ prefix: "skywire-up-idle-bundle-" });
  const bundle = join(bundleDir, "skywire.bundle.js");
  const built = await new Deno.Command(deno, {
    args: ["bundle", ...config, CHILD, "-o", bundle],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  const notes: string[] = [];
  const runDir = join(bundleDir, "cwd");
  await Deno.mkdir(runDir);

  const upVariant = (name: string, env?: Record<string, string>): Variant => ({
    name,
    launcher: [deno, "run", "-A", ...config, ...flags, CHILD],
    args: (data) => [...UP_ARGS, "--data", data],
    env,
  });
  const bundleVariant = (name: string, env?: Record<string, string>): Variant => ({
    name,
    launcher: [deno, "run", "-A", "--unstable-kv", ...flags, bundle],
    args: (data) => [...UP_ARGS, "--data", data],
    cwd: runDir,
    env,
  });
  const variants: Variant[] = [
    { name: "baseline", launcher: [deno, "run", ...flags, CHILD], args: () => ["--idle"] },
    upVariant("up"),
    upVariant("up_arena2", { MALLOC_ARENA_MAX: "2" }),
    upVariant("up_trim", TRIM_ENV),
    { ...upVariant("up_cold"), coldNpmCache: await npmCache(deno) },
  ];
  // A bundle holds only what esbuild can see: a command imported by a computed name is not in it.
  const tried = built.success &&
    await new Deno.Command(deno, {
      args: ["run", "-A", "--unstable-kv", bundle, "up", "--help"],
      cwd: runDir,
      stdout: "null",
      stderr: "piped",
    }).output();
  if (tried && tried.success) {
    variants.push(bundleVariant("bundle"), bundleVariant("bundle_trim", TRIM_ENV));
  } else {
    const why = new TextDecoder().decode((tried || built).stderr).trim();
    notes.push(
      `bundle skipped: ${tried ? "the bundle cannot run up" : "deno bundle failed"}: ${why}`,
    );
  }

  if (soakMin > 0) {
    try {
      return await soakReport(variants, idleS, soakMin, sampleS, notes);
    } finally {
      await Deno.remove(bundleDir, { recursive: true });
    }
  }

  const graph = await loadedAtStart();
  log(
    `  modules up loads at start: ${graph.modules} (${graph.npmPackages} npm packages)`,
  );
  log(`  ${runs} round(s): ${idleS} s idle, then CPU over ${cpuS} s; flags: ${flags.join(" ")}`);
  const rounds: Map<string, Sample>[] = [];
  try {
    for (let i = 0; i < runs; i++) rounds.push(await round(variants, idleS, cpuS));
  } finally {
    await Deno.remove(bundleDir, { recursive: true });
  }

  const figures: Record<string, number> = {
    modules: graph.modules,
    npm_packages: graph.npmPackages,
  };
  const pick = (name: string, f: (s: Sample) => number) =>
    median(rounds.map((r) => f(r.get(name)!)));
  log(
    "  variant          RSS MiB  anon MiB  file MiB  V8 heap MiB (used)  native MiB  threads  CPU %",
  );
  for (const { name } of variants) {
    const rss = pick(name, (s) => s.rss) / MIB;
    const anon = pick(name, (s) => s.anon) / MIB;
    const file = pick(name, (s) => s.file) / MIB;
    const heap = pick(name, (s) => s.heapTotal) / MIB;
    const used = pick(name, (s) => s.heapUsed) / MIB;
    // What is anonymous but not the V8 heap: allocator arenas, thread stacks, runtime state.
    const native = pick(name, (s) => s.anon - s.heapTotal) / MIB;
    const threads = pick(name, (s) => s.threads);
    const cpu = pick(name, (s) => s.cpuPercent);
    Object.assign(figures, {
      [`${name}_rss_mib`]: rss,
      [`${name}_anon_mib`]: anon,
      [`${name}_file_mib`]: file,
      [`${name}_v8_heap_mib`]: heap,
      [`${name}_v8_heap_used_mib`]: used,
      [`${name}_native_mib`]: native,
      [`${name}_threads`]: threads,
      [`${name}_cpu_percent`]: cpu,
    });
    log(
      `  ${name.padEnd(15)} ${rss.toFixed(1).padStart(8)} ${anon.toFixed(1).padStart(9)} ${
        file.toFixed(1).padStart(9)
      } ${heap.toFixed(1).padStart(12)} (${used.toFixed(1)}) ${native.toFixed(1).padStart(11)} ${
        String(threads).padStart(8)
      } ${cpu.toFixed(3).padStart(6)}`,
    );
  }
  const ratios: Record<string, number> = {
    up_rss_over_baseline: figures.up_rss_mib / figures.baseline_rss_mib,
    up_rss_over_goal: figures.up_rss_mib / GOAL_RSS_MIB,
    up_cpu_over_goal: figures.up_cpu_percent / GOAL_CPU_PERCENT,
    up_arena2_rss_over_up: figures.up_arena2_rss_mib / figures.up_rss_mib,
    up_trim_rss_over_up: figures.up_trim_rss_mib / figures.up_rss_mib,
    up_cold_rss_over_up: figures.up_cold_rss_mib / figures.up_rss_mib,
  };
  if (figures.bundle_rss_mib !== undefined) {
    ratios.bundle_rss_over_up = figures.bundle_rss_mib / figures.up_rss_mib;
    ratios.bundle_trim_rss_over_up = figures.bundle_trim_rss_mib / figures.up_rss_mib;
  }
  log(
    `  up: ${ratios.up_rss_over_baseline.toFixed(2)}x the bare runtime's RSS, ` +
      `${ratios.up_rss_over_goal.toFixed(2)}x the ${GOAL_RSS_MIB} MiB goal, CPU ` +
      `${ratios.up_cpu_over_goal.toFixed(2)}x the ${GOAL_CPU_PERCENT} % goal`,
  );
  for (const note of notes) log(`  ${note}`);
  return { name: "up_idle", figures, ratios, notes };
}

if (import.meta.main) await main();
