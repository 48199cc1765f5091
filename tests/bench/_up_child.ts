/**
 * The child that `up_idle_bench.ts` measures: `main.ts` plus a SIGUSR1 listener that prints
 * `Deno.memoryUsage()` on stderr (the V8 heap cannot be read from outside the process). With
 * `--idle` it loads nothing and waits: the bare `deno run` baseline of the same run.
 *
 * @module
 */
Deno.addSignalListener("SIGUSR1", () => {
  console.error(`MEMORY ${JSON.stringify(Deno.memoryUsage())}`);
});

if (Deno.args[0] === "--idle") {
  console.log("{}");
  // A timer that never fires keeps the event loop alive without waking it.
  setTimeout(() => {}, 2 ** 31 - 1);
} else {
  const { main } = await import("../../services/cli/mod.ts");
  Deno.exit(await main(Deno.args));
}
