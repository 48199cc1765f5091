/**
 * The route finder: Go's `route-finder` HTTP API on Hono. Visors `POST /routes` with pairs of
 * visors and hop limits and get, for each pair, up to five routes (lists of transport hops),
 * found by a breadth-first search over the transport discovery's entries (`search.ts`).
 * {@linkcode startRouteFinder} runs it; `skywire svc rf` and `skywire up` use that.
 *
 * Where the transports come from is a {@linkcode TransportSource}: `skywire up` passes its
 * transport discovery's store in-process through {@linkcode transportSourceFrom} (no second
 * copy, no HTTP hop); standalone,
 * {@linkcode TpdTransportSource} reads a transport discovery over HTTP
 * (`POST /transports/edges`, one request per search level; `GET /all-transports` on a Go 2025
 * discovery, which lacks that route). Go's route finder instead reads
 * the transport discovery's Postgres database.
 *
 * @module
 */
import { type HttpLimits, type RateLimitOptions, serveService } from "../../mod/http/mod.ts";
import { createLogger, type Logger } from "../../mod/log/mod.ts";
import { createRouteFinderApp } from "./app.ts";
import { DEFAULT_IP_RATE_LIMIT } from "./middleware.ts";
import type { TransportSource } from "./source.ts";

export { createRouteFinderApp } from "./app.ts";
export type { RouteFinderAppOptions } from "./app.ts";
export { DEFAULT_IP_RATE_LIMIT } from "./middleware.ts";
export { findRoutes, SEARCH_ERRORS } from "./search.ts";
export type { FoundHop, SearchOptions, SearchResult } from "./search.ts";
export {
  errorAnswer,
  MAX_CONCURRENT_SEARCHES,
  MAX_PAIRS,
  MAX_ROUTES,
  MAX_SEARCH_DEPTH,
  MAX_VISITED,
  parseRoutesRequest,
  RouteFinderService,
  SEARCH_TIMEOUT_MS,
} from "./service.ts";
export type { RouteAnswer, RouteFinderServiceOptions } from "./service.ts";
export {
  ALL_TRANSPORTS_REUSE_MS,
  EDGES_PER_REQUEST,
  parseTransportLinks,
  TpdTransportSource,
  TransportSourceError,
  transportSourceFrom,
} from "./source.ts";
export type { TransportLink, TransportSource } from "./source.ts";

/** Request body limit: a request names at most 16 pairs of keys. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** Options for {@linkcode startRouteFinder}. */
export interface StartRouteFinderOptions {
  /** `host:port` to listen on, Go style (`:9092` is every interface). Default `127.0.0.1:0`. */
  addr?: string;
  /** Where transports are read. */
  source: TransportSource;
  /** Where the service logs. */
  logger?: Logger;
  /** Per-remote-IP limit; `false` disables it. */
  ipRateLimit?: RateLimitOptions | false;
  /** Searches at once (default 16). */
  maxConcurrent?: number;
  /** Millisecond clock (tests inject one). */
  now?: () => number;
  /** Connection limits to change from the HTTP defaults (e.g. connections per IP). */
  httpLimits?: Partial<HttpLimits>;
}

/** A running route finder. */
export interface RouteFinder {
  /** Base URL visors use (`routing.route_finder`), e.g. `http://127.0.0.1:9092`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** Searches running now. */
  readonly running: number;
  /** Stop listening and let requests in flight finish (briefly). Idempotent. */
  close(): Promise<void>;
}

/** Start serving; resolves once the port is bound. */
export async function startRouteFinder(options: StartRouteFinderOptions): Promise<RouteFinder> {
  const logger = options.logger ?? createLogger({ component: "route_finder" });
  const now = options.now ?? Date.now;
  const { app, service } = createRouteFinderApp({
    source: options.source,
    logger,
    ipRateLimit: options.ipRateLimit ?? DEFAULT_IP_RATE_LIMIT,
    maxConcurrent: options.maxConcurrent,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    now,
    startedAt: new Date(now()),
  });
  const served = await serveService({
    name: "route finder",
    logger,
    addr: options.addr,
    fetch: app.fetch,
    limits: options.httpLimits,
  });
  return {
    url: served.url,
    port: served.port,
    get running() {
      return service.running;
    },
    close: () => served.close(),
  };
}
