/**
 * Issue 9's goal for the dmsg server, timed: a `skywire dmsg curl` through a `skywire dmsg
 * server start` child that holds 1,000 slowloris sockets, 2,000 half handshakes, one client's
 * 2,048 silent streams and 1,000 streams pushing 256 KiB toward a silent destination (the mix
 * of tests/e2e/dmsg_server_attack_soak_test.ts). Figures: the curl's wall time idle and under
 * attack (goal: within 2 s), the server's RSS under attack and its peak (goal: under 200 MB),
 * and its descriptors. The server runs with the V8 flags `deno task build` bakes in.
 *
 * Run: `deno run -A --config tests/bench/deno.json tests/bench/dmsg_attack_bench.ts [--json]`.
 * `DMSG_ATTACK_MAIN=/path/to/main.ts` measures another checkout's server (e.g. an older
 * version); `DMSG_ATTACK_V8_FLAGS` replaces the V8 flags (empty: none).
 *
 * @module
 */
import {
  attackRound,
  curl,
  memoryMiB,
  openFds,
  settledFds,
  shippedV8Flags,
  startTarget,
} from "../e2e/_dmsg_attack.ts";
import { type BenchReport, log } from "./_report.ts";

const ROUNDS = 4;
const CURL_GOAL_MS = 2_000;
const RSS_GOAL_MIB = 200;

/** Run the rounds and print the figures. */
export async function main(): Promise<BenchReport> {
  const report: BenchReport = { name: "dmsg_attack", figures: {}, ratios: {}, notes: [] };
  if (Deno.build.os !== "linux") {
    report.notes!.push("skipped: reads the server's RSS and descriptors from /proc");
    log("  skipped (needs Linux /proc)");
    return report;
  }
  const main = Deno.env.get("DMSG_ATTACK_MAIN");
  await using target = await startTarget(main);
  const pid = target.server.pid;
  log(`  server: ${main ?? "this checkout"}, V8 flags "${await shippedV8Flags()}"`);
  const idle: number[] = [];
  for (let i = 0; i < 3; i++) idle.push((await curl(target)).ms);
  const baseline = await openFds(pid);
  const idleRss = (await memoryMiB(pid)).rss;
  const curls: number[] = [];
  let failures = 0;
  let rss = 0;
  let fds = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const result = await attackRound(target);
    if (result.curlCode !== 0) failures++;
    else curls.push(result.curlMs);
    rss = Math.max(rss, result.rssMiB);
    fds = Math.max(fds, result.fdsUnderAttack);
    log(
      `  round ${round}: curl ${result.curlCode === 0 ? "ok" : "FAILED"} in ` +
        `${result.curlMs.toFixed(0)} ms, RSS ${result.rssMiB.toFixed(0)} MiB, ` +
        `${result.fdsUnderAttack} fds, ${result.refusedSockets} attack sockets closed`,
    );
    await settledFds(pid, baseline + 1).catch(() => {});
  }
  const peak = (await memoryMiB(pid)).peak;
  const worst = curls.length > 0 ? Math.max(...curls) : NaN;
  const idleMs = Math.min(...idle);
  log(
    `  curl idle ${idleMs.toFixed(0)} ms; under attack worst ${worst.toFixed(0)} ms` +
      ` (${failures} of ${ROUNDS} failed; goal: all within ${CURL_GOAL_MS} ms)`,
  );
  log(
    `  RSS idle ${idleRss.toFixed(0)} MiB, under attack up to ${rss.toFixed(0)} MiB, peak ` +
      `${peak.toFixed(0)} MiB (goal: under ${RSS_GOAL_MIB} MB); fds ${baseline} idle, ${fds} ` +
      `under attack, ${await openFds(pid)} after`,
  );
  Object.assign(report.figures, {
    curl_idle_ms: Math.round(idleMs),
    curl_under_attack_worst_ms: Math.round(worst),
    curl_failures: failures,
    rss_idle_mib: Math.round(idleRss),
    rss_under_attack_mib: Math.round(rss),
    rss_peak_mib: Math.round(peak),
    fds_idle: baseline,
    fds_under_attack: fds,
  });
  report.ratios.curl_attack_over_idle = Number((worst / idleMs).toFixed(2));
  return report;
}

if (import.meta.main) await main();
