/**
 * The transport discovery's HTTP API (Go's `transport-discovery` routes and answers) as a Hono
 * app: middleware chain, then one route module per resource.
 *
 * @module
 */
import { Hono } from "hono";
import {
  answerWrongMethods,
  createServiceApp,
  healthJson,
  jsonResponse,
} from "../../mod/http/mod.ts";
import { type HttpAuthVariables, nonceHandler, type NonceStore } from "../../mod/httpauth/mod.ts";
import { discoveryAuth, type TpdMiddlewareOptions } from "./middleware.ts";
import { heartbeatRoutes } from "./routes/heartbeat.ts";
import { listingRoutes } from "./routes/listings.ts";
import { transportRoutes } from "./routes/transports.ts";
import { TransportService } from "./service.ts";
import type { TransportStore } from "./store.ts";

/** Options for {@linkcode createTransportDiscoveryApp} (the clock, log and limits: {@linkcode TpdMiddlewareOptions}). */
export interface TransportDiscoveryAppOptions extends TpdMiddlewareOptions {
  /** Where entries live. */
  store: TransportStore;
  /** Where httpauth nonces live. */
  nonces: NonceStore;
  /** Entry lifetime without a re-registration, ms (0 = until deleted). */
  entryTtlMs: number;
  /** How long a visor's last heartbeat is kept, ms. */
  visorKeepMs: number;
  /** Largest request body in bytes; larger ones get 413. */
  maxBodyBytes: number;
  /** Start time reported by `/health`. */
  startedAt: Date;
}

/** Build the app. Serve it with `Deno.serve(app.fetch)` (or `serveHttp`). */
export function createTransportDiscoveryApp(
  options: TransportDiscoveryAppOptions,
): Hono<{ Variables: HttpAuthVariables }> {
  const log = options.logger;
  const service = new TransportService({ ...options, logger: log });
  const auth = discoveryAuth(options);
  const app = createServiceApp<{ Variables: HttpAuthVariables }>(options);

  app.get("/security/nonces/:pk", nonceHandler(options.nonces));
  app.route(
    "/",
    transportRoutes({ service, auth, maxBodyBytes: options.maxBodyBytes, logger: log }),
  );
  app.route("/", heartbeatRoutes(service, auth));
  app.route("/", listingRoutes(service));
  // Go's discovery retired transport statuses; it answers 410 Gone.
  app.post("/statuses", () => new Response(null, { status: 410 }));
  app.get(
    "/health",
    () => jsonResponse(200, healthJson(options.startedAt, "transport-discovery")),
  );
  // chi answers a known path with the wrong method with an empty 405.
  answerWrongMethods(app);
  return app;
}
