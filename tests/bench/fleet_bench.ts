/**
 * The hypervisor link's round trips (issue 12): `skywire up` in this process, whose exit visor
 * links to the first visor's hypervisor port; the first visor's fleet calls the exit visor's
 * RPC over dmsg. Figures: how long the exit visor takes to join after `up` returns, and the
 * median and p95 of `Summary` (what `refresh()` fetches), `Transports` and `Health` calls, and
 * for scale the exit visor's own control-API summary in-process.
 *
 * Run: `deno run -A --config tests/bench/deno.json tests/bench/fleet_bench.ts`
 *
 * @module
 */
import { join } from "node:path";
import { createLogger } from "../../mod/log/mod.ts";
import { startUp } from "../../services/up/mod.ts";
import { hvGob } from "../../services/visor/mod.ts";
import { type BenchReport, log } from "./_report.ts";

const CALLS = 200;

function stats(samples: number[]): { median: number; p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    median: sorted[Math.floor(sorted.length / 2)],
    p95: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))],
  };
}

async function time(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** Run the bench. */
export async function main(): Promise<BenchReport> {
  const dir = await Deno.makeTempDir({ prefix: "skywire-fleet-bench-" });
  const up = await startUp({
    dataDir: join(dir, "up"),
    discoveryPort: 0,
    serverPort: 0,
    transportDiscoveryPort: 0,
    addressResolverPort: 0,
    routeFinderPort: 0,
    cliPort: 0,
    exitCliPort: 0,
    uiPort: 0,
    socksPort: 0,
    logger: createLogger({ level: "fatal" }),
  });
  try {
    const hub = up.visor.fleet!;
    const exit = up.exitVisor.pk.hex();
    const t0 = performance.now();
    while (!hub.member(exit)) {
      if (performance.now() - t0 > 60_000) throw new Error("the exit visor never joined");
      await new Promise((r) => setTimeout(r, 10));
    }
    const joinMs = performance.now() - t0;
    const member = hub.member(exit)!;
    await member.refresh();
    const summary = stats(await time(CALLS, () => member.refresh()));
    const transports = stats(await time(CALLS, () => member.api.transports!.list()));
    const health = stats(
      await time(CALLS, () => member.call("Health", hvGob.Empty, {}, hvGob.HealthInfo)),
    );
    const local = stats(await time(CALLS, () => up.exitVisor.api.summary()));
    const figures = {
      join_after_up_ms: round(joinMs),
      summary_rpc_median_ms: round(summary.median),
      summary_rpc_p95_ms: round(summary.p95),
      transports_rpc_median_ms: round(transports.median),
      health_rpc_median_ms: round(health.median),
      health_rpc_p95_ms: round(health.p95),
      local_summary_median_ms: round(local.median),
    };
    for (const [key, value] of Object.entries(figures)) log(`${key}: ${value}`);
    return {
      name: "fleet",
      figures,
      // The in-process summary is microseconds: a ratio to it would say nothing useful.
      ratios: {},
    };
  } finally {
    await up.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await main();
