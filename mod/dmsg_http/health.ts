import { Hono } from "hono";
import { PROTOCOLS, VERSION } from "../version/mod.ts";
import { DMSG_HTTP_PORT } from "./constants.ts";

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
