/**
 * `GET /transports` (public): the visors bound per network, Go's `ArData`
 * (`{"sudph":[…],"stcpr":[…]}`, an empty list left out).
 *
 * @module
 */
import { Hono } from "hono";
import { jsonResponse } from "../../../mod/http/mod.ts";
import { goStdJsonString } from "../../../mod/httpauth/mod.ts";
import type { AddressService } from "../service.ts";

/** The listing route. sudph is never bound here, so it is always left out. */
export function transportRoutes(service: AddressService): Hono {
  const app = new Hono();
  app.get("/transports", async () => {
    const stcpr = await service.stcprKeys();
    const body = stcpr.length ? `{"stcpr":[${stcpr.map(goStdJsonString).join(",")}]}` : "{}";
    return jsonResponse(200, body);
  });
  return app;
}
