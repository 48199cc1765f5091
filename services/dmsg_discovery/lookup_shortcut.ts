/**
 * `GET /dmsg-discovery/entry/{pk}` answered before the Hono app, when the entry cache can say
 * (every lookup while it holds every live entry): making the `Request`, routing it through the
 * middleware chain and making the `Response` cost more than the lookup itself, a miss most of
 * all. The answer is the app's, byte for byte, and the rate limits are the app's own buckets;
 * anything else (another target shape, a query, a store read, debug logging on) is left to
 * the app.
 *
 * @module
 */
import type { RequestHead, ShortAnswer } from "../../mod/dmsg_http/mod.ts";
import { RATE_LIMITED_ANSWER, type RateLimiter } from "../../mod/http/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";
import { GLOBAL_LIMIT_KEY } from "./middleware.ts";
import { lookupAnswer } from "./routes/entries.ts";
import type { EntryService } from "./service.ts";

const PREFIX = "/dmsg-discovery/entry/";
const JSON_FIELDS: ReadonlyArray<readonly [string, string]> = [
  ["content-type", "application/json"],
];

/** What {@linkcode lookupShortcut} needs: the app's service, limiters and logger. */
export interface LookupShortcutOptions {
  /** The app's operations. */
  service: EntryService;
  /** The app's per-remote-IP buckets, if it limits. */
  perIp?: RateLimiter;
  /** The app's service-wide buckets (after the per-IP ones), if it limits. */
  global?: RateLimiter;
  /** The app's log: at debug level each request is logged, so the app answers them all. */
  logger: Logger;
}

/** A shortcut for `mod/http`'s `serveHttp`: the lookup's answer, or `undefined` (the app's). */
export type LookupShortcut = (head: RequestHead, remote: Deno.NetAddr) => ShortAnswer | undefined;

/** The shortcut of the app these options come from. */
export function lookupShortcut(options: LookupShortcutOptions): LookupShortcut {
  const { service, perIp, global, logger } = options;
  return (head, remote) => {
    if (!head.target.startsWith(PREFIX) || logger.enabled("debug")) return undefined;
    const found = service.lookupCached(head.target.slice(PREFIX.length));
    if (found === undefined) return undefined;
    // As the middleware: the per-IP bucket first, the shared one only for what it lets by.
    if ((perIp && !perIp.allow(remote.hostname)) || (global && !global.allow(GLOBAL_LIMIT_KEY))) {
      return RATE_LIMITED_ANSWER;
    }
    const { status, bytes } = lookupAnswer(found);
    return { status, fields: JSON_FIELDS, bytes };
  };
}
