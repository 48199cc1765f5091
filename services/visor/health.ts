import type { DmsgClient, DmsgListener } from "../../mod/dmsg/mod.ts";
import { DMSG_HTTP_PORT, healthApp, type HttpServer, serveHttp } from "../../mod/dmsg_http/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";
import type { DmsgServer } from "../dmsg_server/mod.ts";

/** Options for the health endpoints. */
export interface ServeHealthOptions {
  /** Where the HTTP server logs. */
  logger?: Logger;
  /** When the node started (default now). */
  startedAt?: Date;
}

function serve(listener: DmsgListener, app: ReturnType<typeof healthApp>, logger?: Logger) {
  // Health answers are tiny: a few connections at once is plenty, and bounds a flood.
  // A short shutdown grace keeps a node's whole shutdown within its 2 s budget.
  return serveHttp(listener, (request) => app.fetch(request), {
    logger,
    maxConnections: 16,
    shutdownGraceMs: 250,
  });
}

/**
 * Serve `/health` on dmsg port 80 of a visor's dmsg client: build info, uptime and the
 * sessions (with the servers' keys). Resolves to the running HTTP server; shut it down before
 * closing the client.
 */
export function serveClientHealth(
  client: DmsgClient,
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
  return serve(client.listen(DMSG_HTTP_PORT), app, options.logger);
}

/**
 * Serve `/health` on dmsg port 80 of a dmsg server's own key: build info, uptime, sessions
 * and `available_sessions` (`maxSessions` minus the sessions now).
 */
export function serveServerHealth(
  server: DmsgServer,
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
  return serve(server.listen(DMSG_HTTP_PORT), app, options.logger);
}
