/**
 * `POST /routes`: routes for pairs of visors (Go's `getPairedRoutes`).
 *
 * @module
 */
import { Hono } from "hono";
import { bodyLimit, type BodyVariables, jsonResponse } from "../../../mod/http/mod.ts";
import type { Logger } from "../../../mod/log/mod.ts";
import type { RouteFinderService } from "../service.ts";

/** What {@linkcode routeRoutes} needs. */
export interface RouteRoutesOptions {
  /** The searches behind the route. */
  service: RouteFinderService;
  /** Largest request body in bytes; larger ones get 413. */
  maxBodyBytes: number;
  /** Where a body cut short by a departing client is noted. */
  logger: Logger;
}

/** The `/routes` route. */
export function routeRoutes(options: RouteRoutesOptions): Hono<{ Variables: BodyVariables }> {
  const app = new Hono<{ Variables: BodyVariables }>();
  const body = bodyLimit({ maxBytes: options.maxBodyBytes, logger: options.logger });
  app.post("/routes", body, async (c) => {
    const text = new TextDecoder().decode(c.get("body"));
    const answer = await options.service.routes(text);
    return jsonResponse(answer.status, answer.json);
  });
  return app;
}
