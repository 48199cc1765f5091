import { Hono } from "hono";
import { ASSETS } from "../assets/mod.ts";
import type { UiEnv } from "../context.ts";

/** `/assets/*`: the embedded stylesheet and script, cached for good (their URLs carry a hash). */
export function assetRoutes(): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  app.get("/assets/:name", (c) => {
    const asset = ASSETS.get(c.req.path);
    if (!asset) return c.notFound();
    return c.body(asset.body, 200, {
      "content-type": asset.type,
      "cache-control": "public, max-age=31536000, immutable",
    });
  });
  return app;
}
