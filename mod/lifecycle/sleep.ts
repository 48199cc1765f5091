/**
 * Wait `ms`, or less if `signal` aborts. Resolves either way (a loop that redials checks the
 * signal itself) and always clears its timer and its listener, so a stopped loop holds nothing.
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
