/**
 * What a benchmark hands back for `--json`: its figures and the ratios measured in the same
 * run. With `--json` the human-readable lines go to stderr, so stdout carries only the JSON.
 *
 * @module
 */

/** One benchmark's results. */
export interface BenchReport {
  /** The benchmark (file name without `_bench.ts`). */
  name: string;
  /** Measured values; the key names the unit (`_ms`, `_mib_s`, `_ops_per_cpu_s`, `_kib`). */
  figures: Record<string, number>;
  /** Ratios from the same run (`a_over_b`). */
  ratios: Record<string, number>;
  /** What was skipped and why. */
  notes?: string[];
  /** How many A/B rounds the figures are medians of (benches that repeat; see `_rounds.ts`). */
  rounds?: number;
  /**
   * Min and max over the rounds of a figure or ratio of the same key: a figure's own values,
   * a ratio's per-round values (the ratio itself is computed from the figures' medians).
   */
  ranges?: Record<string, [number, number]>;
}

/** Whether this run prints JSON (then human lines go to stderr). */
export const JSON_MODE: boolean = Deno.args.includes("--json");

/** Print one human-readable line (stdout, or stderr in `--json` mode). */
export function log(line: string): void {
  if (JSON_MODE) console.error(line);
  else console.log(line);
}
