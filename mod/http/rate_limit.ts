/**
 * A per-key token bucket and the Hono middleware that answers 429 from it. The key function
 * decides what is limited: the remote IP ({@linkcode remoteIp}, the default) or anything else a
 * request carries, such as a public key from a header.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import type { Logger } from "../log/mod.ts";
import { bytesResponse } from "../dmsg_http/bytes_response.ts";
import { messageBytes } from "./json.ts";

/** Token-bucket settings for {@linkcode RateLimiter}. */
export interface RateLimitOptions {
  /** Sustained requests per second per key. */
  ratePerSecond: number;
  /** Requests a key may make at once after being idle. */
  burst: number;
  /** Most keys tracked; the least recently seen is forgotten first (default 16,384). */
  maxKeys?: number;
}

/** Keys tracked when {@linkcode RateLimitOptions.maxKeys} is not given. */
export const DEFAULT_MAX_RATE_LIMIT_KEYS = 16_384;

interface Bucket {
  tokens: number;
  last: number;
}

/**
 * A token bucket per key. Memory is bounded: the map is kept in least-recently-used order and
 * trimmed to `maxKeys`; a forgotten key simply starts again with a full bucket, which is also
 * what an idle one would have. No timers.
 */
export class RateLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #max: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  /** Create a limiter; `now` is a millisecond clock. */
  constructor(options: RateLimitOptions, now: () => number = Date.now) {
    const max = options.maxKeys ?? DEFAULT_MAX_RATE_LIMIT_KEYS;
    if (!(options.ratePerSecond > 0) || !(options.burst >= 1) || !(max >= 1)) {
      throw new RangeError("rate limit needs ratePerSecond > 0, burst >= 1 and maxKeys >= 1");
    }
    this.#rate = options.ratePerSecond;
    this.#burst = options.burst;
    this.#max = max;
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

  /** How many keys are tracked. */
  get size(): number {
    return this.#buckets.size;
  }
}

/**
 * The remote IP of a request served by `Deno.serve(app.fetch)` (Hono passes Deno's handler info
 * as `c.env`); `"unknown"` when there is none, e.g. for `app.fetch(request)` in a test.
 */
export function remoteIp(c: Context): string {
  const info = c.env as { remoteAddr?: { hostname?: string } } | undefined;
  return info?.remoteAddr?.hostname ?? "unknown";
}

/** Options for {@linkcode rateLimit}. */
export interface RateLimitMiddlewareOptions {
  /** The buckets to draw from: a limiter (to share or inspect it) or settings for a new one. */
  limiter: RateLimiter | RateLimitOptions;
  /** Millisecond clock for a limiter made from settings (default `Date.now`). */
  now?: () => number;
  /** What is limited (default {@linkcode remoteIp}). */
  key?: (c: Context) => string;
  /**
   * The answer past the limit. Default: 429 with Go's `{"message":"rate limit exceeded",
   * "code":429}` and `Retry-After: 1`.
   */
  onLimited?: (c: Context, key: string) => Response | Promise<Response>;
  /** Where refused requests are noted (debug level). */
  logger?: Logger;
}

/**
 * The answer past the limit when no `onLimited` is given, as status, fields (lowercase, in the
 * order a `Response` lists them) and body: for an `HttpShortcut` that limits as the middleware.
 */
export const RATE_LIMITED_ANSWER: Readonly<
  { status: number; fields: ReadonlyArray<readonly [string, string]>; bytes: Uint8Array }
> = {
  status: 429,
  fields: [["content-type", "application/json"], ["retry-after", "1"]],
  bytes: messageBytes(429, "rate limit exceeded"),
};

/** Answer past the limit when no `onLimited` is given. */
export function rateLimitedResponse(): Response {
  const { status, fields, bytes } = RATE_LIMITED_ANSWER;
  return bytesResponse(bytes, { status, headers: fields as Array<[string, string]> });
}

/** Middleware that refuses a request whose key has no token left; others pass on. */
export function rateLimit(options: RateLimitMiddlewareOptions): MiddlewareHandler {
  const limiter = options.limiter instanceof RateLimiter
    ? options.limiter
    : new RateLimiter(options.limiter, options.now);
  const keyOf = options.key ?? remoteIp;
  return async (c, next) => {
    const key = keyOf(c);
    if (!limiter.allow(key)) {
      options.logger?.debug("rate limited", { key, path: c.req.path });
      return options.onLimited ? await options.onLimited(c, key) : rateLimitedResponse();
    }
    await next();
  };
}
