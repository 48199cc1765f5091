import type { RateLimiter } from "../mod/http/mod.ts";
import type { Logger } from "../mod/log/mod.ts";
import type { VisorApi } from "../services/visor/api.ts";
import type { Fleet, FleetVisor } from "../services/visor/fleet_types.ts";
import type { UiAuth } from "./auth/auth.ts";
import type { Session } from "./auth/sessions.ts";
import type { LiveHub } from "./live/hub.ts";
import type { VisorScope } from "./routes/_scope.ts";

/** What every route module of the UI gets. */
export interface UiDeps {
  /** The node, through its typed API. */
  api: VisorApi;
  /** The visors the UI shows, this node (`api`) first. */
  fleet: Fleet;
  /** This node as a fleet member (what the top-level pages show). */
  self: FleetVisor;
  /** How long a remote visor may take to answer before its page says it is not answering. */
  fleetTimeoutMs: number;
  /** Password and sessions. */
  auth: UiAuth;
  /** Limits login attempts (and first-password posts) per remote address. */
  loginLimiter: RateLimiter;
  /** Live updates (SSE). */
  hub: LiveHub;
  /** Where the UI logs. */
  logger: Logger;
  /** The address the UI is reachable at from other machines, when it listens beyond loopback. */
  remoteAddress?: string;
}

/** The Hono environment of the UI's app. */
export interface UiEnv {
  /** Deno's handler info, as `Deno.serve(app.fetch)` passes it. */
  Bindings: { remoteAddr?: { hostname?: string } };
  Variables: {
    /** The session of the request (set by `requireSession`). */
    session: Session;
    /** The visor the request is about (set for every signed-in page and `/api/visors/:pk`). */
    scope: VisorScope;
  };
}
