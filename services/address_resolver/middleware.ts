/**
 * The address resolver's limits: per remote IP for the app-wide chain (`serviceChain` of
 * `mod/http`) and per key for its private routes (`keyLimitedAuth` of `mod/httpauth`, answered
 * with httpauth's default 429).
 *
 * @module
 */
import type { RateLimitOptions } from "../../mod/http/mod.ts";
import type { KeyLimitedServiceOptions } from "../../mod/httpauth/mod.ts";

/** Per remote IP: far above what visors behind one address need, low enough to stop a loop. */
export const DEFAULT_IP_RATE_LIMIT: Readonly<RateLimitOptions> = { ratePerSecond: 100, burst: 200 };

/**
 * Per visor key, after its signature is checked: a visor binds every 2 min and resolves a peer
 * per stcpr dial, so 2 per second with a burst of 60 leaves room for a visor dialling all its
 * persistent transports at start.
 */
export const DEFAULT_KEY_RATE_LIMIT: Readonly<RateLimitOptions> = { ratePerSecond: 2, burst: 60 };

/** The clock, log and limits of the resolver's middleware. */
export type ResolverMiddlewareOptions = KeyLimitedServiceOptions;
