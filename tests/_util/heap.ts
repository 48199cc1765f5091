/**
 * The V8 heap a process keeps after a full garbage collection, for tests that repeat an
 * operation N times and check that what it leaves behind does not grow with N (a memory
 * figure, not a timing one). `gc` comes through `node:v8`/`node:vm`, so tests run under the
 * plain `deno test` flags; both are imported on first use only (the bench's `up` child loads
 * this module when asked for a collected heap, and must not carry them before).
 */
let gc: (() => void) | undefined;

/** `heapUsed` after a full collection (twice, with a turn of the event loop between). */
export async function heapAfterGc(): Promise<number> {
  if (!gc) {
    const [{ setFlagsFromString }, { runInNewContext }] = await Promise.all([
      import("node:v8"),
      import("node:vm"),
    ]);
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
  await new Promise((resolve) => setTimeout(resolve, 0));
  gc();
  return Deno.memoryUsage().heapUsed;
}
