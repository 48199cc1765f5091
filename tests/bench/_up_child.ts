/**
 * The child that `up_idle_bench.ts` measures: `main.ts` plus signal listeners that print
 * `Deno.memoryUsage()` on stderr (the V8 heap cannot be read from outside the process):
 * SIGUSR1 as it is, SIGUSR2 after a full garbage collection (what a leak keeps, against what
 * V8 merely has not collected yet; the GC helper is imported only then). With `--idle` it loads
 * nothing and waits: the bare `deno run` baseline of the same run.
 *
 * @module
 */
const report = () => console.error(`MEMORY ${JSON.stringify(Deno.memoryUsage())}`);
Deno.addSignalListener("SIGUSR1", report);
Deno.addSignalListener("SIGUSR2", async () => {
  const { heapAfterGc } = await import("../_util/heap.ts");
  await heapAfterGc();
  report();
});

if (Deno.args[0] === "--idle") {
  console.log("{}");
  // A timer that never fires keeps the event loop alive without waking it.
  setTimeout(() => {}, 2 ** 31 - 1);
} else {
  const { main } = await import("../../services/cli/mod.ts");
  Deno.exit(await main(Deno.args));
}
