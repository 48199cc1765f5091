import { Hono } from "hono";
import type { ByteStream } from "../conn/mod.ts";
import type { Logger } from "../log/mod.ts";
import { PROTOCOLS, VERSION } from "../version/mod.ts";
import { DMSG_HTTP_PORT } from "./constants.ts";
import { type HttpServer, type HttpStreamListener, serveHttp } from "./serve.ts";

/** Sessions as `/health` reports them. */
export interface HealthSessions {
  /** Sessions open now. */
  count: number;
  /** Public keys (hex) of the dmsg servers a client has sessions with. */
  server_pks?: string[];
  /** Public keys (hex) of the clients a server has sessions with. */
  client_pks?: string[];
}

/** Options for {@linkcode healthApp}. */
export interface HealthAppOptions {
  /** What is answering: a visor (dmsg client) or a dmsg server. */
  role: "visor" | "dmsg_server";
  /** Its public key (hex). */
  pk: string;
  /** When it started (default: when the app was made). */
  startedAt?: Date;
  /** Its sessions now. */
  sessions: () => HealthSessions;
  /** For servers: how many more sessions it accepts. */
  availableSessions?: () => number;
  /** Millisecond clock (tests). */
  now?: () => number;
}

/**
 * `/health` as a dmsg server or visor answers it on dmsg port 80. The first three fields are
 * Go's `httputil.HealthCheckResponse` (`build_info`, `started_at`, `dmsg_address`), so Go
 * tooling reading a health answer finds them; the rest is ours:
 *
 * ```json
 * {"build_info":{"version":"0.1.0","commit":"","date":"","deno":"2.9.6","target":"…"},
 *  "started_at":"…","dmsg_address":"<pk>:80","role":"visor","pk":"<pk>",
 *  "uptime_seconds":12,"protocols":{"dmsg":"…"},
 *  "sessions":{"count":1,"server_pks":["…"]}}
 * ```
 *
 * A server adds `"available_sessions"`.
 */
export function healthApp(options: HealthAppOptions): Hono {
  const now = options.now ?? Date.now;
  const startedAt = options.startedAt ?? new Date(now());
  const app = new Hono();
  app.get("/health", (c) => {
    const body: Record<string, unknown> = {
      build_info: {
        version: VERSION,
        commit: "",
        date: "",
        deno: Deno.version.deno,
        target: Deno.build.target,
      },
      started_at: startedAt.toISOString(),
      dmsg_address: `${options.pk}:${DMSG_HTTP_PORT}`,
      role: options.role,
      pk: options.pk,
      uptime_seconds: Math.max(0, Math.floor((now() - startedAt.getTime()) / 1000)),
      protocols: PROTOCOLS,
      sessions: options.sessions(),
    };
    if (options.availableSessions) body.available_sessions = options.availableSessions();
    return c.json(body);
  });
  return app;
}

/** A public key as `/health` reports it. */
interface HexKey {
  hex(): string;
}

/** What answers `/health`: a dmsg client or server, listening on a port of its own key. */
export interface HealthEndpoint {
  /** Its public key. */
  readonly pk: HexKey;
  /** Accept dmsg streams to `port` of its key. */
  listen(port: number): HttpStreamListener<ByteStream>;
}

/** A visor's dmsg client as `/health` sees it (a `DmsgClient` fits). */
export interface HealthClient extends HealthEndpoint {
  /** Its sessions with dmsg servers. */
  sessions(): Array<{ serverPk: HexKey }>;
}

/** A dmsg server as `/health` sees it (a `DmsgServer` fits). */
export interface HealthServer extends HealthEndpoint {
  /** Client sessions open now. */
  sessionCount(): number;
  /** Keys of the clients with a session. */
  clients(): HexKey[];
  /** How many more sessions it accepts. */
  availableSessions(): number;
}

/** Options for {@linkcode serveClientHealth} and {@linkcode serveServerHealth}. */
export interface ServeHealthOptions {
  /** Where the HTTP server logs. */
  logger?: Logger;
  /** When the node started (default now). */
  startedAt?: Date;
}

function serveHealth(endpoint: HealthEndpoint, app: Hono, logger?: Logger): HttpServer {
  // Health answers are tiny: a few connections at once is plenty, and bounds a flood.
  // A short shutdown grace keeps a node's whole shutdown within its 2 s budget.
  return serveHttp(endpoint.listen(DMSG_HTTP_PORT), (request) => app.fetch(request), {
    logger,
    maxConnections: 16,
    shutdownGraceMs: 250,
  });
}

/**
 * Serve `/health` on dmsg port 80 of a visor's dmsg client: build info, uptime and the
 * sessions (with the servers' keys). Shut the returned server down before closing the client.
 */
export function serveClientHealth(
  client: HealthClient,
  options: ServeHealthOptions = {},
): HttpServer {
  const app = healthApp({
    role: "visor",
    pk: client.pk.hex(),
    startedAt: options.startedAt,
    sessions: () => {
      const sessions = client.sessions();
      return { count: sessions.length, server_pks: sessions.map((s) => s.serverPk.hex()) };
    },
  });
  return serveHealth(client, app, options.logger);
}

/**
 * Serve `/health` on dmsg port 80 of a dmsg server's own key: build info, uptime, sessions
 * and `available_sessions` (`maxSessions` minus the sessions now).
 */
export function serveServerHealth(
  server: HealthServer,
  options: ServeHealthOptions = {},
): HttpServer {
  const app = healthApp({
    role: "dmsg_server",
    pk: server.pk.hex(),
    startedAt: options.startedAt,
    sessions: () => ({
      count: server.sessionCount(),
      client_pks: server.clients().map((pk) => pk.hex()),
    }),
    availableSessions: () => server.availableSessions(),
  });
  return serveHealth(server, app, options.logger);
}
