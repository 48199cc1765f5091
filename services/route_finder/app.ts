/**
 * The route finder's HTTP API (Go's `route-finder`: `POST /routes`, `GET /health`) as a Hono
 * app: middleware chain, then the route module.
 *
 * @module
 */
import { Hono } from "hono";
import {
  answerWrongMethods,
  createServiceApp,
  healthJson,
  jsonResponse,
  type RateLimitOptions,
} from "../../mod/http/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";
import { routeRoutes } from "./routes/routes.ts";
import { RouteFinderService } from "./service.ts";
import type { TransportSource } from "./source.ts";

/** Options for {@linkcode createRouteFinderApp}. */
export interface RouteFinderAppOptions {
  /** Where transports are read. */
  source: TransportSource;
  /** Request and error log. */
  logger: Logger;
  /** Per-remote-IP limit, or `false` for none. */
  ipRateLimit: RateLimitOptions | false;
  /** Searches at once (default 16); more get 503. */
  maxConcurrent?: number;
  /** Largest request body in bytes; larger ones get 413. */
  maxBodyBytes: number;
  /** Millisecond clock of the rate limit. */
  now: () => number;
  /** Start time reported by `/health`. */
  startedAt: Date;
}

/** Build the app and the service behind it. Serve it with `serveHttp`. */
export function createRouteFinderApp(
  options: RouteFinderAppOptions,
): { app: Hono; service: RouteFinderService } {
  const log = options.logger;
  const service = new RouteFinderService({
    source: options.source,
    maxConcurrent: options.maxConcurrent,
    logger: log,
  });
  const app = createServiceApp(options);
  app.route("/", routeRoutes({ service, maxBodyBytes: options.maxBodyBytes, logger: log }));
  app.get("/health", () => jsonResponse(200, healthJson(options.startedAt, "route-finder")));
  // chi answers a known path with the wrong method with an empty 405.
  answerWrongMethods(app);
  return { app, service };
}
