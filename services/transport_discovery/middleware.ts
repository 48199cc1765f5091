/**
 * The transport discovery's middleware: the limits of the app-wide chain (`serviceChain`
 * of `mod/http`) and the httpauth of its private routes (`keyLimitedAuth` of `mod/httpauth`)
 * with Go's per-key limit and Go's plain-text 429.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { RateLimitOptions } from "../../mod/http/mod.ts";
import {
  type HttpAuthVariables,
  keyLimitedAuth,
  type KeyLimitedServiceOptions,
  type NonceStore,
} from "../../mod/httpauth/mod.ts";

/** Per remote IP, on every route: far above what visors behind one address need. */
export const DEFAULT_IP_RATE_LIMIT: Readonly<RateLimitOptions> = { ratePerSecond: 100, burst: 200 };

/**
 * Per visor key on the authenticated routes. Go's discovery allows 30 a minute with a burst of
 * 10 per remote; a visor here may also register each transport as it settles, so the sustained
 * rate is Go's doubled and the burst tripled.
 */
export const DEFAULT_KEY_RATE_LIMIT: Readonly<RateLimitOptions> = { ratePerSecond: 1, burst: 30 };

/** The clock, log and limits of the discovery's middleware. */
export type TpdMiddlewareOptions = KeyLimitedServiceOptions;

/**
 * The httpauth middleware of the private routes. Past the per-key limit it answers as Go's
 * discovery does: 429 with a plain-text line.
 */
export function discoveryAuth(
  options: TpdMiddlewareOptions & { nonces: NonceStore; maxBodyBytes: number },
): MiddlewareHandler<{ Variables: HttpAuthVariables }> {
  const limit = options.keyRateLimit;
  const perMinute = limit ? Math.round(limit.ratePerSecond * 60) : 0;
  return keyLimitedAuth({
    ...options,
    onLimited: () =>
      new Response(`Rate limit exceeded: maximum ${perMinute} requests per minute\n`, {
        status: 429,
        headers: { "content-type": "text/plain; charset=utf-8", "retry-after": "1" },
      }),
  });
}
