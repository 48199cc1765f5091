/**
 * Every benchmark in this folder, one after another: what `deno task bench` runs. Each
 * `*_bench.ts` exports `main()`, prints its own figures and ratios, and may return a
 * {@linkcode BenchReport}.
 *
 * Run: `deno task bench [MiB] [--json] [name ...]` (arguments are passed on to each bench;
 * names such as `secp256k1 dmsg` pick benches). With `--json` the human lines go to stderr and
 * stdout gets one JSON document: every bench's figures and ratios, plus all ratios flattened as
 * `bench.ratio`, all from the same run.
 *
 * @module
 */
import { type BenchReport, JSON_MODE } from "./_report.ts";

/** Run each selected `tests/bench/*_bench.ts` in name order; a failing bench is reported, not fatal. */
export async function main(): Promise<number> {
  const dir = new URL(".", import.meta.url);
  const wanted = Deno.args.filter((arg) => /^[a-z][a-z0-9_]*$/.test(arg));
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith("_bench.ts")) continue;
    if (wanted.length > 0 && !wanted.includes(entry.name.slice(0, -"_bench.ts".length))) continue;
    names.push(entry.name);
  }
  names.sort();
  // In JSON mode every bench's own console.log lines go to stderr, so stdout is the document.
  const print = console.log;
  if (JSON_MODE) console.log = console.error;
  const reports: BenchReport[] = [];
  const failures: Record<string, string> = {};
  for (const name of names) {
    console.log(`\n=== ${name} ===`);
    const started = performance.now();
    try {
      const bench = await import(new URL(name, dir).href);
      if (typeof bench.main !== "function") throw new Error("exports no main()");
      const report = await bench.main();
      if (report && typeof report === "object" && "figures" in report) reports.push(report);
      console.log(`(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    } catch (error) {
      failures[name] = error instanceof Error ? error.message : String(error);
      console.log(
        `${name} failed: ${error instanceof Error ? error.stack ?? error.message : error}`,
      );
    }
  }
  console.log = print;
  if (JSON_MODE) {
    const ratios: Record<string, number> = {};
    for (const report of reports) {
      for (const [key, value] of Object.entries(report.ratios)) {
        ratios[`${report.name}.${key}`] = value;
      }
    }
    print(JSON.stringify({ date: new Date().toISOString(), ratios, reports, failures }, null, 2));
  }
  return Object.keys(failures).length === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
