/**
 * Every benchmark in this folder, one after another: what `deno task bench` runs. Each
 * `*_bench.ts` exports `main()` and prints its own figures and ratios.
 *
 * Run: `deno task bench` (arguments are passed on to each bench, e.g. a MiB size).
 *
 * @module
 */

/** Run each `tests/bench/*_bench.ts` in name order; a failing bench is reported, not fatal. */
export async function main(): Promise<number> {
  const dir = new URL(".", import.meta.url);
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.endsWith("_bench.ts")) names.push(entry.name);
  }
  names.sort();
  let failed = 0;
  for (const name of names) {
    console.log(`\n=== ${name} ===`);
    const started = performance.now();
    try {
      const bench = await import(new URL(name, dir).href);
      if (typeof bench.main !== "function") throw new Error("exports no main()");
      await bench.main();
      console.log(`(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    } catch (error) {
      failed++;
      console.log(
        `${name} failed: ${error instanceof Error ? error.stack ?? error.message : error}`,
      );
    }
  }
  return failed === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
