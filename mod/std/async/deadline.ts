/** Options for {@linkcode deadline}. */
export interface DeadlineOptions {
  /** Aborting rejects the returned promise with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Reject with a `DOMException` named `TimeoutError` when `promise` has not settled within `ms`.
 * The timer is always cleared, whichever way the race ends.
 */
export function deadline<T>(
  promise: Promise<T>,
  ms: number,
  options: DeadlineOptions = {},
): Promise<T> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => finish(() => reject(signal?.reason));
    const timer = setTimeout(
      () => finish(() => reject(new DOMException("Signal timed out.", "TimeoutError"))),
      ms,
    );
    let done = false;
    function finish(action: () => void) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      action();
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    promise.then((v) => finish(() => resolve(v)), (e) => finish(() => reject(e)));
  });
}
