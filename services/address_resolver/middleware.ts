/**
 * The address resolver's middleware: the app-wide chain (per-remote-IP rate limit, request log,
 * from `mod/http`) and the httpauth of its private routes with a per-key limit.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { rateLimit, RateLimiter, type RateLimitOptions, requestLog } from "../../mod/http/mod.ts";
import { httpAuth, type HttpAuthVariables, type NonceStore } from "../../mod/httpauth/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";

/** Per remote IP: far above what visors behind one address need, low enough to stop a loop. */
export const DEFAULT_IP_RATE_LIMIT: Readonly<RateLimitOptions> = { ratePerSecond: 100, burst: 200 };

/**
 * Per visor key, after its signature is checked: a visor binds every 90 s and resolves a peer
 * per stcpr dial, so 2 per second with a burst of 60 leaves room for a visor dialling all its
 * persistent transports at start.
 */
export const DEFAULT_KEY_RATE_LIMIT: Readonly<RateLimitOptions> = { ratePerSecond: 2, burst: 60 };

/** Options for {@linkcode resolverMiddleware} and {@linkcode resolverAuth}. */
export interface ResolverMiddlewareOptions {
  /** Where requests are logged. */
  logger: Logger;
  /** Per-remote-IP limit, or `false` for none. */
  ipRateLimit: RateLimitOptions | false;
  /** Per-key limit of authenticated routes, or `false` for none. */
  keyRateLimit: RateLimitOptions | false;
  /** Millisecond clock of the limits. */
  now: () => number;
}

/** The middlewares for `app.use("*", ...)`, in order. */
export function resolverMiddleware(options: ResolverMiddlewareOptions): MiddlewareHandler[] {
  const chain: MiddlewareHandler[] = [];
  if (options.ipRateLimit) {
    chain.push(
      rateLimit({ limiter: options.ipRateLimit, now: options.now, logger: options.logger }),
    );
  }
  chain.push(requestLog({ logger: options.logger }));
  return chain;
}

/** The httpauth middleware of the private routes. */
export function resolverAuth(
  options: ResolverMiddlewareOptions & { nonces: NonceStore; maxBodyBytes: number },
): MiddlewareHandler<{ Variables: HttpAuthVariables }> {
  return httpAuth({
    nonces: options.nonces,
    maxBodyBytes: options.maxBodyBytes,
    limiter: options.keyRateLimit ? new RateLimiter(options.keyRateLimit, options.now) : undefined,
    logger: options.logger,
  });
}
