/**
 * `GET /v4/update?version=…` (behind httpauth): a visor's heartbeat, as Go's discovery (and
 * the uptime tracker before it) takes it.
 *
 * @module
 */
import { Hono, type MiddlewareHandler } from "hono";
import { authPubKey, goJsonResponse, type HttpAuthVariables } from "../../../mod/httpauth/mod.ts";
import type { TransportService } from "../service.ts";

/** The heartbeat route; answers Go's `{"status":"ok"}`. */
export function heartbeatRoutes(
  service: TransportService,
  auth: MiddlewareHandler<{ Variables: HttpAuthVariables }>,
): Hono<{ Variables: HttpAuthVariables }> {
  const app = new Hono<{ Variables: HttpAuthVariables }>();
  app.get("/v4/update", auth, async (c) => {
    await service.heartbeat(authPubKey(c), c.req.query("version") ?? "");
    return goJsonResponse(200, `{"status":"ok"}`);
  });
  return app;
}
