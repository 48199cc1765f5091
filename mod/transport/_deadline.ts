/** Options for {@linkcode withDeadline}. */
export interface DeadlineOptions {
  /** Time allowed, ms. */
  ms: number;
  /** Closed when the time runs out or `signal` aborts, which ends any pending read or write. */
  stream: { close(): void };
  /** The error to reject with when the time runs out. */
  onTimeout: () => Error;
  /** Abort early (rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Also close the stream when `work` itself fails (a handshake step that failed ends it). */
  closeOnError?: boolean;
}

/** Close `stream`, ignoring an error from a stream already closed elsewhere. */
export function closeQuietly(stream: { close(): void }): void {
  try {
    stream.close();
  } catch {
    // Already closed: nothing left to release.
  }
}

/**
 * Run `work` with a deadline, the way Go sets a connection deadline: when time runs out (or
 * `signal` aborts) the stream is closed, so whatever `work` is blocked on ends, and the result
 * is the timeout error. The timer is cleared on every path.
 */
export async function withDeadline<T>(
  options: DeadlineOptions,
  work: () => Promise<T>,
): Promise<T> {
  const { signal, stream } = options;
  signal?.throwIfAborted();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      closeQuietly(stream);
      reject(options.onTimeout());
    }, options.ms);
    if (signal) {
      onAbort = () => {
        closeQuietly(stream);
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
    }
  });
  const run = options.closeOnError
    ? work().catch((error) => {
      closeQuietly(stream);
      throw error;
    })
    : work();
  // When the deadline wins, `work` fails later on the closed stream; nobody is left to tell.
  run.catch(() => {});
  try {
    return await Promise.race([run, stop]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
}
