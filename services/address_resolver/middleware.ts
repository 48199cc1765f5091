/**
 * The address resolver's middleware: the limits of the app-wide chain (`serviceChain` of
 * `mod/http`) and the httpauth of its private routes with a per-key limit.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import {
  RateLimiter,
  type RateLimitOptions,
  type ServiceChainOptions,
} from "../../mod/http/mod.ts";
import { httpAuth, type HttpAuthVariables, type NonceStore } from "../../mod/httpauth/mod.ts";

/** Per remote IP: far above what visors behind one address need, low enough to stop a loop. */
export const DEFAULT_IP_RATE_LIMIT: Readonly<RateLimitOptions> = { ratePerSecond: 100, burst: 200 };

/**
 * Per visor key, after its signature is checked: a visor binds every 90 s and resolves a peer
 * per stcpr dial, so 2 per second with a burst of 60 leaves room for a visor dialling all its
 * persistent transports at start.
 */
export const DEFAULT_KEY_RATE_LIMIT: Readonly<RateLimitOptions> = { ratePerSecond: 2, burst: 60 };

/** Options for `serviceChain` (mod/http) and {@linkcode resolverAuth}. */
export interface ResolverMiddlewareOptions extends ServiceChainOptions {
  /** Per-key limit of authenticated routes, or `false` for none. */
  keyRateLimit: RateLimitOptions | false;
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
