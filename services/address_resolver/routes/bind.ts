/**
 * `POST /bind/stcpr` and `DELETE /bind/stcpr`: a visor announces (or withdraws) where it
 * listens for stcpr. Both are behind httpauth; the signer is the visor bound.
 *
 * @module
 */
import type { Logger } from "../../../mod/log/mod.ts";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { bodyLimit, jsonResponse } from "../../../mod/http/mod.ts";
import { authPubKey, goStdJsonString, type HttpAuthVariables } from "../../../mod/httpauth/mod.ts";
import type { AddressService } from "../service.ts";

/** What {@linkcode bindRoutes} needs. */
export interface BindRoutesOptions {
  /** The operations behind the routes. */
  service: AddressService;
  /** The httpauth middleware of the resolver. */
  auth: MiddlewareHandler<{ Variables: HttpAuthVariables }>;
  /** Largest request body in bytes; larger ones get 413. */
  maxBodyBytes: number;
  /** Where a body cut short by a departing client is noted. */
  logger: Logger;
  /** The requester's IP as the resolver records it. */
  requesterIp: (c: Context) => string;
}

/** The bind routes. Go answers a successful bind and unbind with an empty 200. */
export function bindRoutes(options: BindRoutesOptions): Hono<{ Variables: HttpAuthVariables }> {
  const { service, auth } = options;
  const app = new Hono<{ Variables: HttpAuthVariables }>();
  const body = bodyLimit({ maxBytes: options.maxBodyBytes, logger: options.logger });

  app.post("/bind/stcpr", body, auth, async (c) => {
    const result = await service.bind(authPubKey(c), options.requesterIp(c), c.get("body"));
    if (!result.ok) {
      return jsonResponse(result.status, `{"error":${goStdJsonString(result.error)}}`);
    }
    return new Response(null, { status: 200 });
  });

  app.delete("/bind/stcpr", auth, async (c) => {
    await service.unbind(authPubKey(c));
    return new Response(null, { status: 200 });
  });

  return app;
}
