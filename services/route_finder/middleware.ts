/**
 * The route finder's per-remote-IP limit for the app-wide chain (`serviceChain` of
 * `mod/http`). Searches are also bounded in the service (how many run at once).
 *
 * @module
 */
import type { RateLimitOptions } from "../../mod/http/mod.ts";

/** Per remote IP: visors ask twice per route dial; a hub of visors behind one IP asks more. */
export const DEFAULT_IP_RATE_LIMIT: Readonly<RateLimitOptions> = { ratePerSecond: 50, burst: 100 };
