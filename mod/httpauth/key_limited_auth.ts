/**
 * The httpauth of a service's private routes with a per-key rate limit, as the transport
 * discovery and the address resolver both use it; each keeps its own limits and may answer the
 * limit its own way (the discovery answers as Go's does).
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { RateLimiter, type RateLimitOptions, type ServiceChainOptions } from "../http/mod.ts";
import { httpAuth, type HttpAuthOptions, type HttpAuthVariables } from "./middleware.ts";
import type { NonceStore } from "./nonce_store.ts";

/** A service's app-wide chain plus the per-key limit of its authenticated routes. */
export interface KeyLimitedServiceOptions extends ServiceChainOptions {
  /** Per-key limit of authenticated routes, or `false` for none. */
  keyRateLimit: RateLimitOptions | false;
}

/** Options for {@linkcode keyLimitedAuth}. */
export interface KeyLimitedAuthOptions extends KeyLimitedServiceOptions {
  /** Where httpauth nonces live. */
  nonces: NonceStore;
  /** Largest body read for the signature; larger ones get 413. */
  maxBodyBytes: number;
  /** The answer past the per-key limit (default httpauth's: 429 with Go's JSON error). */
  onLimited?: HttpAuthOptions["onLimited"];
}

/** The httpauth middleware, limited per key on the service's clock once the signature checks. */
export function keyLimitedAuth(
  options: KeyLimitedAuthOptions,
): MiddlewareHandler<{ Variables: HttpAuthVariables }> {
  const limit = options.keyRateLimit;
  return httpAuth({
    nonces: options.nonces,
    maxBodyBytes: options.maxBodyBytes,
    limiter: limit ? new RateLimiter(limit, options.now) : undefined,
    onLimited: options.onLimited,
    logger: options.logger,
  });
}
