/** Capped exponential backoff settings. */
export interface BackoffOptions {
  /** First delay, ms. */
  initialMs: number;
  /** Largest delay, ms. */
  maxMs: number;
  /** Growth per failure. */
  factor: number;
}

/** Delays that grow by `factor` from `initialMs` up to `maxMs`, reset on success. */
export class Backoff {
  readonly #o: BackoffOptions;
  #next: number;

  /** Start at `initialMs`. */
  constructor(options: BackoffOptions) {
    this.#o = options;
    this.#next = options.initialMs;
  }

  /** The delay to wait now; the one after grows. */
  next(): number {
    const delay = this.#next;
    this.#next = Math.min(this.#o.maxMs, Math.ceil(this.#next * this.#o.factor));
    return delay;
  }

  /** Back to the first delay. */
  reset(): void {
    this.#next = this.#o.initialMs;
  }
}
