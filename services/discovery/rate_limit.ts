/** Token-bucket settings for {@linkcode RateLimiter}. */
export interface RateLimitOptions {
  /** Sustained requests per second per remote address. */
  ratePerSecond: number;
  /** Requests a remote may make at once after being idle. */
  burst: number;
  /** Most remotes tracked; the least recently seen is forgotten first (default 16,384). */
  maxRemotes?: number;
}

/**
 * Per-remote rates as Go's discovery limits dmsg clients (`rlPerRemoteRPS` / `rlPerRemoteBurst`):
 * far above what a healthy client needs, low enough to stop a client stuck in a request loop.
 */
export const DEFAULT_RATE_LIMIT: Readonly<RateLimitOptions> = { ratePerSecond: 100, burst: 200 };

interface Bucket {
  tokens: number;
  last: number;
}

/**
 * A token bucket per remote key. Memory is bounded: the map is kept in least-recently-used
 * order and trimmed to `maxRemotes`; a forgotten remote simply starts again with a full bucket,
 * which is also what an idle one would have. No timers.
 */
export class RateLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #max: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  /** Create a limiter; `now` is a millisecond clock. */
  constructor(options: RateLimitOptions, now: () => number = Date.now) {
    if (!(options.ratePerSecond > 0) || !(options.burst >= 1)) {
      throw new RangeError("rate limit needs ratePerSecond > 0 and burst >= 1");
    }
    this.#rate = options.ratePerSecond;
    this.#burst = options.burst;
    this.#max = options.maxRemotes ?? 16_384;
    this.#now = now;
  }

  /** Take one token for `key`; `false` when its bucket is empty. */
  allow(key: string): boolean {
    const now = this.#now();
    let bucket = this.#buckets.get(key);
    if (bucket) {
      this.#buckets.delete(key);
      bucket.tokens = Math.min(
        this.#burst,
        bucket.tokens + ((now - bucket.last) / 1000) * this.#rate,
      );
      bucket.last = now;
    } else {
      bucket = { tokens: this.#burst, last: now };
      while (this.#buckets.size >= this.#max) {
        this.#buckets.delete(this.#buckets.keys().next().value!);
      }
    }
    this.#buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** How many remotes are tracked. */
  get size(): number {
    return this.#buckets.size;
  }
}
