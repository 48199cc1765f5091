/**
 * `/transports/…`: register (`POST /transports/`), read by id or edge
 * (`GET /transports/id:{id}`, `GET /transports/edge:{pk}`), delete one
 * (`DELETE /transports/id:{id}`) or a batch (`POST /transports/delete-batch`), all behind
 * httpauth; and `POST /transports/edges` (public): the transports of a list of visors.
 *
 * @module
 */
import type { Logger } from "../../../mod/log/mod.ts";
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit, notFoundResponse } from "../../../mod/http/mod.ts";
import { authPubKey, type HttpAuthVariables } from "../../../mod/httpauth/mod.ts";
import type { TransportService } from "../service.ts";
import { refusalResponse, resultResponse } from "./_answer.ts";

/** What {@linkcode transportRoutes} needs. */
export interface TransportRoutesOptions {
  /** The operations behind the routes. */
  service: TransportService;
  /** The httpauth middleware of the discovery. */
  auth: MiddlewareHandler<{ Variables: HttpAuthVariables }>;
  /** Largest request body in bytes; larger ones get 413. */
  maxBodyBytes: number;
  /** Where a body cut short by a departing client is noted. */
  logger: Logger;
}

// Paths under /transports/ that are not `id:` or `edge:` selectors but POST-only routes.
const POST_ONLY = new Set(["edges", "delete-batch"]);

/** The transport routes. */
export function transportRoutes(
  options: TransportRoutesOptions,
): Hono<{ Variables: HttpAuthVariables }> {
  const { service, auth } = options;
  const body = bodyLimit({ maxBytes: options.maxBodyBytes, logger: options.logger });
  const app = new Hono<{ Variables: HttpAuthVariables }>();

  app.post("/transports/", body, auth, async (c) => {
    // Go answers 201 Created with the entries it registered.
    return resultResponse(await service.register(authPubKey(c), c.get("body")), 201);
  });

  app.post("/transports/delete-batch", body, auth, async (c) => {
    return resultResponse(await service.deleteBatch(authPubKey(c), c.get("body")));
  });

  app.post("/transports/edges", body, async (c) => {
    return resultResponse(await service.byEdges(c.get("body")));
  });

  // chi routes `id:{id}` and `edge:{edge}` as one path segment; so does this selector.
  app.get("/transports/:selector", async (c, next) => {
    const selector = c.req.param("selector");
    if (POST_ONLY.has(selector)) return new Response(null, { status: 405 });
    if (!selector.startsWith("id:") && !selector.startsWith("edge:")) return notFoundResponse();
    return await auth(c, next);
  }, async (c) => {
    const selector = c.req.param("selector");
    if (selector.startsWith("id:")) return resultResponse(await service.get(selector.slice(3)));
    return resultResponse(await service.byEdge(selector.slice(5)));
  });

  app.delete("/transports/:selector", async (c, next) => {
    if (!c.req.param("selector").startsWith("id:")) return notFoundResponse();
    return await auth(c, next);
  }, async (c) => {
    const result = await service.delete(authPubKey(c), c.req.param("selector").slice(3));
    if (!result.ok) return refusalResponse(result);
    // Go writes this answer without a content type: its sniffer calls it plain text.
    return new Response("transport deleted", {
      status: 200,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  });

  return app;
}
