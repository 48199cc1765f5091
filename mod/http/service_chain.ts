/**
 * The app-wide middleware chain of a discovery service: a per-remote-IP rate limit (unless
 * turned off), then the request log; the limit goes first so a refused request costs only
 * the limit's own log line.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { Logger } from "../log/mod.ts";
import { rateLimit, type RateLimitOptions } from "./rate_limit.ts";
import { requestLog } from "./request_log.ts";

/** Options for {@linkcode serviceChain}. */
export interface ServiceChainOptions {
  /** Where requests are logged. */
  logger: Logger;
  /** Per-remote-IP limit, or `false` for none. */
  ipRateLimit: RateLimitOptions | false;
  /** Millisecond clock of the limits. */
  now: () => number;
}

/** The middlewares for `app.use("*", ...)`, in order. */
export function serviceChain(options: ServiceChainOptions): MiddlewareHandler[] {
  const chain: MiddlewareHandler[] = [];
  if (options.ipRateLimit) {
    chain.push(
      rateLimit({ limiter: options.ipRateLimit, now: options.now, logger: options.logger }),
    );
  }
  chain.push(requestLog({ logger: options.logger }));
  return chain;
}
