/**
 * Repeated A/B rounds for benchmarks on a loaded machine. A single run of "ours, then Go's"
 * swings by a third with the other load on the machine, so a bench that compares two programs
 * measures both in every round (alternating which goes first) and reports, per figure, the
 * median over the rounds and its min–max; a ratio is computed from the medians of its figures,
 * and its per-round values give its range (with few rounds, or an even count, the ratio of the
 * medians can fall outside that range: the two medians may come from different rounds).
 *
 * @module
 */
import { type BenchReport, log } from "./_report.ts";

/** One round's figures, keyed as in the report (unrounded). */
export type Figures = Record<string, number>;

/** A ratio computed from a set of figures (a round's, or the medians). */
export type RatioSpec = (f: Figures) => number;

/** The ratio of figure `a` to figure `b`. */
export const over = (a: string, b: string): RatioSpec => (f) => f[a] / f[b];

/** The `--rounds N` or `--rounds=N` argument of `args`, else `fallback`; at least 1. */
export function roundsArg(args: string[], fallback: number): number {
  const at = args.findIndex((arg) => arg === "--rounds" || arg.startsWith("--rounds="));
  if (at < 0) return fallback;
  const text = args[at].includes("=") ? args[at].split("=")[1] : args[at + 1];
  const rounds = Number(text);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`bad --rounds: ${text}`);
  return rounds;
}

/** The first bare number of `args` that is not the value of `--rounds`, else `fallback`. */
export function sizeArg(args: string[], fallback: number): number {
  const found = args.find((arg, i) => /^\d+$/.test(arg) && args[i - 1] !== "--rounds");
  return found === undefined ? fallback : Number(found);
}

/** Whether round `round` (from 0) measures Go's side first: every other round does. */
export function goFirst(round: number): boolean {
  return round % 2 === 1;
}

/** Run `ours` and `go` in the order {@linkcode goFirst} gives for `round`. */
export async function inTurn<A, B>(
  round: number,
  ours: () => Promise<A>,
  go: () => Promise<B>,
): Promise<[A, B]> {
  if (goFirst(round)) {
    const b = await go();
    return [await ours(), b];
  }
  const a = await ours();
  return [a, await go()];
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Decimals a figure keeps, by its unit: 3 per open, 1 per MiB, MiB/s and KiB, else 2. */
function digitsFor(key: string): number {
  if (key.endsWith("_per_open")) return 3;
  if (/(_per_mib|_mib_s|_kib_per_idle_session)$/.test(key)) return 1;
  return 2;
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

/**
 * Put the medians of `rounds` into `report.figures`, the ratios of those medians into
 * `report.ratios`, and min–max of every figure (over the rounds that measured it) and every
 * ratio (over the rounds that measured its figures) into `report.ranges`; log a summary. A
 * ratio whose figures are missing (a skipped row) is left out.
 */
export function summarize(
  report: BenchReport,
  rounds: Figures[],
  ratios: Record<string, RatioSpec>,
): void {
  report.rounds = rounds.length;
  report.ranges ??= {};
  const keys = [...new Set(rounds.flatMap((f) => Object.keys(f)))];
  const medians: Figures = {};
  for (const key of keys) {
    const values = rounds.map((f) => f[key]).filter((v) => v !== undefined);
    const digits = digitsFor(key);
    medians[key] = median(values);
    report.figures[key] = round(medians[key], digits);
    report.ranges[key] = [round(Math.min(...values), digits), round(Math.max(...values), digits)];
  }
  for (const [key, spec] of Object.entries(ratios)) {
    const value = spec(medians);
    if (!Number.isFinite(value)) continue;
    const perRound = rounds.map(spec).filter(Number.isFinite);
    if (perRound.length === 0) perRound.push(value);
    report.ratios[key] = round(value, 2);
    report.ranges[key] = [round(Math.min(...perRound), 2), round(Math.max(...perRound), 2)];
  }
  log(`Summary over ${rounds.length} round(s): median [min–max]`);
  const width = Math.max(0, ...[...keys, ...Object.keys(ratios)].map((key) => key.length));
  const line = (key: string, value: number, range: [number, number]) =>
    log(`  ${key.padEnd(width)} ${String(value).padStart(9)}  [${range[0]}–${range[1]}]`);
  for (const key of keys) line(key, report.figures[key], report.ranges[key]);
  log(`Ratios ours/Go from the medians [per-round range]:`);
  for (const key of Object.keys(ratios)) {
    if (key in report.ratios) line(key, report.ratios[key], report.ranges[key]);
  }
}
