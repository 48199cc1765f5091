/**
 * The route finder's middleware: a per-remote-IP rate limit and the request log (from
 * `mod/http`). Searches are also bounded in the service (how many run at once).
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { rateLimit, type RateLimitOptions, requestLog } from "../../mod/http/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";

/** Per remote IP: visors ask twice per route dial; a hub of visors behind one IP asks more. */
export const DEFAULT_IP_RATE_LIMIT: Readonly<RateLimitOptions> = { ratePerSecond: 50, burst: 100 };

/** Options for {@linkcode routeFinderChain}. */
export interface RouteFinderMiddlewareOptions {
  /** Where requests are logged. */
  logger: Logger;
  /** Per-remote-IP limit, or `false` for none. */
  ipRateLimit: RateLimitOptions | false;
  /** Millisecond clock of the limit. */
  now: () => number;
}

/** The middlewares for `app.use("*", ...)`, in order. */
export function routeFinderChain(options: RouteFinderMiddlewareOptions): MiddlewareHandler[] {
  const chain: MiddlewareHandler[] = [];
  if (options.ipRateLimit) {
    chain.push(
      rateLimit({ limiter: options.ipRateLimit, now: options.now, logger: options.logger }),
    );
  }
  chain.push(requestLog({ logger: options.logger }));
  return chain;
}
