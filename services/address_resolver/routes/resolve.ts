/**
 * `GET /resolve/{type}/{pk}` (behind httpauth): where a visor listens, as Go's `VisorData`.
 * A malformed key is an empty 400 and an unknown visor an empty 404, as in Go.
 *
 * @module
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { jsonResponse } from "../../../mod/http/mod.ts";
import { goParsePubKey, type HttpAuthVariables } from "../../../mod/httpauth/mod.ts";
import { type AddressService, visorDataJson } from "../service.ts";

/** What {@linkcode resolveRoutes} needs. */
export interface ResolveRoutesOptions {
  /** The operations behind the routes. */
  service: AddressService;
  /** The httpauth middleware of the resolver. */
  auth: MiddlewareHandler<{ Variables: HttpAuthVariables }>;
  /** The requester's IP as the resolver compares it. */
  requesterIp: (c: Context) => string;
}

/** The resolve route. */
export function resolveRoutes(
  options: ResolveRoutesOptions,
): Hono<{ Variables: HttpAuthVariables }> {
  const { service } = options;
  const app = new Hono<{ Variables: HttpAuthVariables }>();
  app.get("/resolve/:type/:pk", options.auth, async (c) => {
    let pk;
    try {
      pk = goParsePubKey(c.req.param("pk"));
    } catch {
      return new Response(null, { status: 400 });
    }
    const data = await service.resolve(c.req.param("type"), pk, options.requesterIp(c));
    if (!data) return new Response(null, { status: 404 });
    // Go writes this answer with json.Marshal: no trailing newline.
    return jsonResponse(200, visorDataJson(data));
  });
  return app;
}
