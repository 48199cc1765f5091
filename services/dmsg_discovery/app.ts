/**
 * The dmsg discovery HTTP API (Go's `dmsg-discovery` routes and answers) as a Hono app composed
 * of the middleware chain and one route module per resource.
 *
 * @module
 */
import { Hono } from "hono";
import { DISC_MESSAGES } from "../../mod/dmsg/disc/mod.ts";
import {
  answerWrongMethods,
  messageResponse,
  notFoundResponse,
  RateLimiter,
  type RateLimitOptions,
} from "../../mod/http/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";
import { type LookupShortcut, lookupShortcut } from "./lookup_shortcut.ts";
import { discoveryMiddleware } from "./middleware.ts";
import { entryRoutes } from "./routes/entries.ts";
import { healthRoutes } from "./routes/health.ts";
import { serverRoutes } from "./routes/servers.ts";
import { EntryService } from "./service.ts";
import type { DiscoveryStore } from "./store.ts";

/** Options for {@linkcode createDiscoveryApp}. */
export interface DiscoveryAppOptions {
  /** Where entries live. */
  store: DiscoveryStore;
  /** Go's `-t`: allow loopback server addresses. */
  testMode: boolean;
  /** Millisecond clock (injectable for tests). */
  now: () => number;
  /** Request and error log. */
  logger: Logger;
  /** Per-remote-IP limit, or `false` for none. */
  rateLimit: RateLimitOptions | false;
  /** Limit for all requests together (after the per-IP one); `false` or absent for none. */
  globalRateLimit?: RateLimitOptions | false;
  /** Largest request body in bytes; larger ones get 413. */
  maxBodyBytes: number;
  /** TTL of client entries in ms (Go's `--entry-timeout`, 60 min); 0 = no expiry. */
  clientEntryTtlMs: number;
  /** Require sequence 0 for a first registration and exactly old + 1 for an update. */
  strictSequence: boolean;
  /** Go's `--auth` passphrase for official servers. */
  authPassphrase: string;
  /** Keys (hex) of servers classed official. */
  officialServers: ReadonlySet<string>;
  /** Start time reported by `/health`. */
  startedAt: Date;
}

/** The app and its lookup shortcut, which share the service and the rate-limit buckets. */
export interface DiscoveryHandlers {
  /** The API. */
  app: Hono;
  /** Lookups answered before the app (for `mod/http`'s `serveHttp`). */
  shortcut: LookupShortcut;
}

/**
 * Build the app. Serve it with `mod/http`'s `serveHttp` (or `Deno.serve(app.fetch)`) so that
 * the per-IP rate limit sees the remote address.
 */
export function createDiscoveryApp(options: DiscoveryAppOptions): Hono {
  return createDiscoveryHandlers(options).app;
}

/** Build the app and its lookup shortcut; serve both with `mod/http`'s `serveHttp`. */
export function createDiscoveryHandlers(options: DiscoveryAppOptions): DiscoveryHandlers {
  const log = options.logger;
  const service = new EntryService(options);
  const perIp = options.rateLimit ? new RateLimiter(options.rateLimit, options.now) : undefined;
  const global = options.globalRateLimit
    ? new RateLimiter(options.globalRateLimit, options.now)
    : undefined;
  const app = new Hono();

  app.onError((error, c) => {
    log.error("request failed", { method: c.req.method, path: c.req.path, error });
    return messageResponse(500, DISC_MESSAGES.unexpected);
  });
  app.notFound(notFoundResponse);
  app.use(
    "*",
    ...discoveryMiddleware({
      logger: log,
      now: options.now,
      rateLimit: perIp ?? false,
      globalRateLimit: global ?? false,
    }),
  );

  app.route(
    "/dmsg-discovery",
    entryRoutes({ service, maxBodyBytes: options.maxBodyBytes, logger: log }),
  );
  app.route("/dmsg-discovery", serverRoutes(service));
  app.route("/", healthRoutes(options.startedAt));
  // chi answers a known path with the wrong method with an empty 405.
  answerWrongMethods(app);
  return { app, shortcut: lookupShortcut({ service, perIp, global, logger: log }) };
}
