/**
 * Public reads: `GET /all-transports` (`?selfTransports=hide` leaves out transports of a visor
 * to itself) and `GET /uptimes` (the visors heard from lately, Go's v1 `VisorSummary`
 * `{"pk","on","version"}`).
 *
 * @module
 */
import { Hono } from "hono";
import { goJsonResponse, goStdJsonString } from "../../../mod/httpauth/mod.ts";
import type { TransportService } from "../service.ts";
import { resultResponse } from "./_answer.ts";

/** A visor is online when its last heartbeat is this recent: two of Go's 5-minute beats. */
export const ONLINE_WINDOW_MS = 10 * 60_000;

/** The listing routes. */
export function listingRoutes(service: TransportService): Hono {
  const app = new Hono();
  app.get("/all-transports", async (c) => {
    return resultResponse(await service.all(c.req.query("selfTransports") === "hide"));
  });
  app.get("/uptimes", async () => {
    const visors = await service.visors(ONLINE_WINDOW_MS);
    const items = visors.map((v) =>
      `{"pk":"${v.pk}","on":${v.online}` +
      (v.version ? `,"version":${goStdJsonString(v.version)}` : "") + "}"
    );
    return goJsonResponse(200, `[${items.join(",")}]`);
  });
  return app;
}
