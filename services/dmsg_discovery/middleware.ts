/**
 * The discovery's middleware chain: a per-remote-IP rate limit, then the service-wide one (so
 * that one noisy peer is stopped before it uses up everyone's budget), then the request log (so
 * that refused requests do not flood it). All come from `mod/http`; the settings are in
 * `rate_limits.ts`.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import {
  rateLimit,
  type RateLimiter,
  type RateLimitOptions,
  requestLog,
} from "../../mod/http/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";

/** The one key of the service-wide bucket. */
export const GLOBAL_LIMIT_KEY = "*";
const EVERYONE = () => GLOBAL_LIMIT_KEY;

/** Options for {@linkcode discoveryMiddleware}. */
export interface DiscoveryMiddlewareOptions {
  /** Where requests are logged. */
  logger: Logger;
  /** Per-remote-IP limit (its settings or buckets to share), or `false` for none. */
  rateLimit: RateLimiter | RateLimitOptions | false;
  /** Limit for all requests together, after the per-IP one; `false` or absent for none. */
  globalRateLimit?: RateLimiter | RateLimitOptions | false;
  /** Millisecond clock of the rate limit. */
  now: () => number;
}

/** The middlewares for `app.use("*", ...)`, in order. */
export function discoveryMiddleware(options: DiscoveryMiddlewareOptions): MiddlewareHandler[] {
  const chain: MiddlewareHandler[] = [];
  if (options.rateLimit) {
    chain.push(
      rateLimit({ limiter: options.rateLimit, now: options.now, logger: options.logger }),
    );
  }
  if (options.globalRateLimit) {
    chain.push(
      rateLimit({
        limiter: options.globalRateLimit,
        now: options.now,
        logger: options.logger,
        key: EVERYONE,
      }),
    );
  }
  chain.push(requestLog({ logger: options.logger }));
  return chain;
}
