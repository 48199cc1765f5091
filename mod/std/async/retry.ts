/** Thrown by {@linkcode retry} when every attempt failed; `cause` is the last error. */
export class RetryError extends Error {
  /** Build the error for the attempt count that was used up. */
  constructor(cause: unknown, attempts: number) {
    super(`Retrying exceeded the maxAttempts (${attempts}).`, { cause });
    this.name = "RetryError";
  }
}

/** Options for {@linkcode retry}. */
export interface RetryOptions {
  /** Factor the wait grows by after each failure. Default 2. */
  multiplier?: number;
  /** Upper bound of one wait in ms. Default 60 000. */
  maxTimeout?: number;
  /** Attempts before giving up. Default 5. */
  maxAttempts?: number;
  /** First wait in ms. Default 1 000. */
  minTimeout?: number;
  /** Fraction (0..1) of each wait that is randomised. Default 1. */
  jitter?: number;
}

/** Call `fn` until it resolves, waiting with exponential backoff between failures. */
export async function retry<T>(fn: () => Promise<T> | T, options: RetryOptions = {}): Promise<T> {
  const {
    multiplier = 2,
    maxTimeout = 60_000,
    maxAttempts = 5,
    minTimeout = 1_000,
    jitter = 1,
  } = options;
  if (maxTimeout <= 0) throw new TypeError("Cannot retry as 'maxTimeout' must be positive");
  if (minTimeout > maxTimeout) {
    throw new TypeError("Cannot retry as 'minTimeout' must be <= 'maxTimeout'");
  }
  if (jitter < 0 || jitter > 1) throw new TypeError("Cannot retry as 'jitter' must be in [0, 1]");
  for (let attempt = 0;; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt + 1 >= maxAttempts) throw new RetryError(error, maxAttempts);
      const base = Math.min(maxTimeout, minTimeout * multiplier ** attempt);
      const wait = base * (1 - jitter * Math.random());
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
