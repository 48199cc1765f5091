const LIBC = "libc.so.6";

/**
 * Hand the C allocator's free memory back to the system: glibc's `malloc_trim(0)`, which
 * releases the free pages of every arena, not only the top of the main one (what
 * `MALLOC_TRIM_THRESHOLD_` governs).
 *
 * Linux with glibc only: elsewhere (no `libc.so.6`, musl without `malloc_trim`), without the
 * FFI permission or without `Deno.dlopen` it does nothing. Never throws and never prompts;
 * returns whether the trim ran (~1 ms here; ~5-10 ms with much to give back).
 */
export function trimNativeHeap(): boolean {
  if (Deno.build.os !== "linux" || typeof Deno.dlopen !== "function") return false;
  try {
    if (Deno.permissions.querySync({ name: "ffi", path: LIBC }).state !== "granted") return false;
    // libc is already loaded: this only takes a reference, closed again at once.
    const libc = Deno.dlopen(LIBC, { malloc_trim: { parameters: ["usize"], result: "i32" } });
    try {
      libc.symbols.malloc_trim(0n);
    } finally {
      libc.close();
    }
    return true;
  } catch {
    return false;
  }
}

/** When {@linkcode trimNativeHeapWhileRunning} trims after the first time. */
export const TRIM_AFTER_START_MS = 15_000;
/** Then how often: a trim costs ~1 ms, so this is ~0.0003 % of a core. */
export const TRIM_PERIOD_MS = 5 * 60_000;

/**
 * {@linkcode trimNativeHeap} now, {@linkcode TRIM_AFTER_START_MS} later and every
 * {@linkcode TRIM_PERIOD_MS} after, until `signal` aborts (the timer is cleared then; it never
 * keeps the process alive), for a long-running command once it has started. Start-up frees
 * much that glibc otherwise keeps for the life of the process, part of it only once V8's first
 * idle collections have let go of it (8-12 s after start here): with a cold transpile cache (a
 * fresh clone, a changed file) idle `skywire up` measured 113 MiB RSS without the trims and
 * 86 MiB with them (the up_idle bench's `up_cold` variant); with a warm cache they save ~0.5 MiB.
 */
export function trimNativeHeapWhileRunning(signal: AbortSignal): void {
  if (signal.aborted || !trimNativeHeap()) return;
  // Unref'd, as the project's other background timers are: a command whose own work has ended
  // (a path that never aborts `signal`) must not be kept running up to 5 minutes by a trim.
  let timer = setTimeout(function again() {
    trimNativeHeap();
    timer = setTimeout(again, TRIM_PERIOD_MS);
    Deno.unrefTimer(timer);
  }, TRIM_AFTER_START_MS);
  Deno.unrefTimer(timer);
  signal.addEventListener("abort", () => clearTimeout(timer), { once: true });
}
