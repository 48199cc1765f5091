/** Options for {@linkcode delay}. */
export interface DelayOptions {
  /** Rejects the returned promise with the signal's reason when aborted. */
  signal?: AbortSignal;
  /** When false the timer does not keep the process alive. Defaults to true. */
  persistent?: boolean;
}

/** Resolve after `ms` milliseconds, or reject when `signal` aborts first. */
export function delay(ms: number, options: DelayOptions = {}): Promise<void> {
  const { signal, persistent = true } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", abort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", abort, { once: true });
    if (!persistent) Deno.unrefTimer(timer);
  });
}
