/**
 * `/health`: build info and start time, as Go's services answer it.
 *
 * @module
 */
import { Hono } from "hono";
import { JsonWriter } from "../../../mod/dmsg/disc/mod.ts";
import { jsonResponse } from "../../../mod/http/mod.ts";
import { VERSION } from "../../../mod/version/mod.ts";

/** The `/health` route; `startedAt` is reported as `started_at`. */
export function healthRoutes(startedAt: Date): Hono {
  const app = new Hono();
  app.get("/health", () => {
    const w = new JsonWriter();
    w.ascii(`{"build_info":{"version":`);
    w.string(VERSION);
    w.ascii(`,"commit":"","date":""},"started_at":"${startedAt.toISOString()}"}`);
    return jsonResponse(200, w.finish());
  });
  return app;
}
