import { Hono } from "hono";
import type { UiDeps, UiEnv } from "../context.ts";
import { RoutesNotAvailable, RoutesPage } from "../pages/routing.tsx";
import { renderPage } from "./_page.tsx";

const TITLE = { title: "Routes", lede: "Routing rules and route groups of this node." };

/** `/routes`: routing rules and route groups. */
export function routingRoutes(deps: UiDeps): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  app.get("/routes", async (c) => {
    const routes = deps.api.routes;
    if (!routes) return await renderPage(c, deps, TITLE, <RoutesNotAvailable />);
    const [rules, groups] = await Promise.all([routes.rules(), routes.groups()]);
    return await renderPage(c, deps, TITLE, <RoutesPage rules={rules} groups={groups} />);
  });
  return app;
}
