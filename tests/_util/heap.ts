/**
 * The V8 heap a test process keeps after a full garbage collection, for tests that repeat an
 * operation N times and check that what it leaves behind does not grow with N (a memory
 * figure, not a timing one). `gc` comes through `node:v8`/`node:vm`, so the tests run under the
 * plain `deno test` flags.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gc: (() => void) | undefined;

/** `heapUsed` after a full collection (twice, with a turn of the event loop between). */
export async function heapAfterGc(): Promise<number> {
  if (!gc) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
  await new Promise((resolve) => setTimeout(resolve, 0));
  gc();
  return Deno.memoryUsage().heapUsed;
}
