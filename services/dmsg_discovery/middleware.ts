/**
 * The discovery's middleware chain: a per-remote-IP rate limit, then the request log (so that
 * refused requests do not flood it). Both come from `mod/http`; this file holds the
 * discovery's settings for them.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { rateLimit, type RateLimitOptions, requestLog } from "../../mod/http/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";

/**
 * Per-remote rates as Go's discovery limits dmsg clients (`rlPerRemoteRPS` / `rlPerRemoteBurst`):
 * far above what a healthy client needs, low enough to stop a client stuck in a request loop.
 */
export const DEFAULT_RATE_LIMIT: Readonly<RateLimitOptions> = { ratePerSecond: 100, burst: 200 };

/** Options for {@linkcode discoveryMiddleware}. */
export interface DiscoveryMiddlewareOptions {
  /** Where requests are logged. */
  logger: Logger;
  /** Per-remote-IP limit, or `false` for none. */
  rateLimit: RateLimitOptions | false;
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
  chain.push(requestLog({ logger: options.logger }));
  return chain;
}
