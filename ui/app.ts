import { Hono } from "hono";
import { RateLimiter, type RateLimitOptions } from "../mod/http/mod.ts";
import type { Logger } from "../mod/log/mod.ts";
import type { VisorApi } from "../services/visor/api.ts";
import { type Fleet, localFleet } from "../services/visor/fleet_types.ts";
import { UiAuth } from "./auth/auth.ts";
import type { ScryptParams } from "./auth/password.ts";
import type { UiDeps, UiEnv } from "./context.ts";
import { LiveHub } from "./live/hub.ts";
import { boundedBody } from "./middleware/bounded_body.ts";
import { sameOrigin, sessionCsrf } from "./middleware/csrf.ts";
import { securityHeaders } from "./middleware/security_headers.ts";
import { requireSession } from "./middleware/session.ts";
import { localScope } from "./routes/_scope.ts";
import { apiRoutes } from "./routes/api_visors.ts";
import { assetRoutes } from "./routes/assets.ts";
import { authRoutes } from "./routes/auth.tsx";
import { eventsRoutes } from "./routes/events.ts";
import { updatesRoutes } from "./routes/updates.tsx";
import {
  fleetFragments,
  VISOR_PAGE_ROUTES,
  visorFragments,
  VISORS_TOPIC,
  visorsRoutes,
} from "./routes/visors.tsx";

/** How long a login lasts unless told otherwise: 12 hours, Go's hypervisor default. */
export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** Options for {@linkcode createUiApp}. */
export interface UiAppOptions {
  /** The node, through its typed API. */
  api: VisorApi;
  /** The visors the UI shows, this node first (default: this node alone). */
  fleet?: Fleet;
  /** How long a remote visor may take to answer a page's refresh (default 3 s). */
  fleetTimeoutMs?: number;
  /** The visor's KV store, where the password lives (read at the point of use). */
  kv: () => Deno.Kv;
  /** Where the UI logs (logins, actions, problems). */
  logger: Logger;
  /** How long a login lasts (default {@linkcode DEFAULT_SESSION_TTL_MS}). */
  sessionTtlMs?: number;
  /** Most sessions at once (default 32; the oldest login is dropped first). */
  maxSessions?: number;
  /** scrypt cost for new passwords (tests use a cheap one). */
  scrypt?: ScryptParams;
  /** Login attempts per remote address (default 10 at once, then one per 6 s). */
  loginRate?: RateLimitOptions;
  /** Live updates: re-render interval, stream limit, keep-alive (defaults 5 s, 8, 25 s). */
  live?: { intervalMs?: number; maxStreams?: number; keepaliveMs?: number };
  /** Where other machines reach the UI, when it listens beyond loopback (shown on every page). */
  remoteAddress?: string;
  /** Millisecond clock (session expiry). */
  now?: () => number;
}

/** The UI's Hono app and the parts that outlive a request. */
export interface UiApp {
  /** The app (for `Deno.serve(app.fetch)` or `app.request` in tests). */
  readonly app: Hono<UiEnv>;
  /** The node it shows. */
  readonly api: VisorApi;
  /** The visors it shows, this node first. */
  readonly fleet: Fleet;
  /** Password and sessions. */
  readonly auth: UiAuth;
  /** Live streams. */
  readonly hub: LiveHub;
  /** End the live streams (before the HTTP server shuts down). */
  close(): void;
}

// Forms and JSON of the UI are a few hundred bytes.
const MAX_BODY_BYTES = 64 * 1024;

/**
 * The web UI of a node: server-rendered pages (one route module per resource), login with a
 * scrypt-hashed password and server-side sessions, CSRF tokens on every state-changing
 * request, live updates over SSE, and the JSON API on Go's hypervisor paths.
 */
export function createUiApp(options: UiAppOptions): UiApp {
  const auth = new UiAuth({
    kv: options.kv,
    sessionTtlMs: options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS,
    maxSessions: options.maxSessions ?? 32,
    scrypt: options.scrypt,
    now: options.now,
  });
  const logger = options.logger;
  const startedAt = new Date(options.api.info().started_at);
  const fleet = options.fleet ?? localFleet(options.api, startedAt);
  const deps: UiDeps = {
    api: options.api,
    fleet,
    self: fleet.get(options.api.info().pk) ?? localFleet(options.api, startedAt).list()[0],
    fleetTimeoutMs: options.fleetTimeoutMs ?? 3_000,
    auth,
    loginLimiter: new RateLimiter(options.loginRate ?? { ratePerSecond: 1 / 6, burst: 10 }),
    logger,
    remoteAddress: options.remoteAddress,
    // Replaced below: the hub renders the fragments the route modules define with `deps`.
    hub: undefined as unknown as LiveHub,
  };
  const live = fleetFragments(deps);
  const hub = new LiveHub({
    fragments: {
      ...visorFragments(options.api),
      ...live.fragments,
    },
    resolve: live.resolve,
    logs: options.api.logs,
    logger,
    ...options.live,
  });
  deps.hub = hub;
  // Joins and leaves reach an open Visors page at once, not at the next tick.
  const unsubscribe = fleet.subscribe(() => void hub.update(VISORS_TOPIC));

  const app = new Hono<UiEnv>();
  app.use(securityHeaders(), sameOrigin(), boundedBody(MAX_BODY_BYTES));
  // Open to everyone: assets, login, logout, first password, Go's login API and /api/ping.
  // The API and the live stream guard their own routes.
  app.route("/", assetRoutes());
  app.route("/", authRoutes(deps));
  app.route("/", apiRoutes(deps));
  app.route("/", eventsRoutes(deps));

  // Every page below needs a session, and its posts the session's CSRF token.
  const pages = new Hono<UiEnv>();
  pages.use(requireSession(deps), sessionCsrf(), localScope(deps));
  // This node's pages, the ones each fleet member has too, plus the fleet list and updates.
  for (const routes of [visorsRoutes, ...VISOR_PAGE_ROUTES, updatesRoutes]) {
    pages.route("/", routes(deps));
  }
  app.route("/", pages);

  app.notFound((c) =>
    c.req.path.startsWith("/api/")
      ? c.json({ error: "not found" }, 404)
      : c.text("404 page not found", 404)
  );
  app.onError((error, c) => {
    logger.error("UI request failed", { method: c.req.method, path: c.req.path, error });
    return c.req.path.startsWith("/api/")
      ? c.json({ error: "internal error" }, 500)
      : c.text("Something went wrong; the node's log has the details.", 500);
  });
  return {
    app,
    api: options.api,
    fleet,
    auth,
    hub,
    close: () => {
      unsubscribe();
      hub.close();
    },
  };
}
