import { Hono } from "hono";
import type { UiDeps, UiEnv } from "../context.ts";
import type { FragmentRenderer } from "../live/hub.ts";
import { RouteGroups, RoutesNotAvailable, RoutesPage } from "../pages/routing.tsx";
import { fragmentHtml, redirectWithNote, renderPage } from "./_page.tsx";

const TITLE = { title: "Routes", lede: "Routing rules and route groups of this node." };

/** Live regions of the routes page (route groups; the rules table carries forms). */
export function routingFragments(deps: UiDeps): Record<string, FragmentRenderer> {
  const routes = deps.api.routes;
  if (!routes) return {};
  return {
    "route-groups": async () => fragmentHtml(<RouteGroups groups={await routes.groups()} />),
  };
}

/** `/routes`: routing rules and route groups; `POST /routes/:id/remove` removes a rule. */
export function routingRoutes(deps: UiDeps): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  app.get("/routes", async (c) => {
    const routes = deps.api.routes;
    if (!routes) return await renderPage(c, deps, TITLE, <RoutesNotAvailable />);
    const [rules, groups] = await Promise.all([routes.rules(), routes.groups()]);
    return await renderPage(
      c,
      deps,
      { ...TITLE, live: ["route-groups"] },
      <RoutesPage rules={rules} groups={groups} csrf={c.get("session").csrf} />,
    );
  });
  app.post("/routes/:id/remove", async (c) => {
    const routes = deps.api.routes;
    if (!routes) return c.json({ error: "routes are not available in this build" }, 501);
    const text = c.req.param("id");
    try {
      // A malformed id reaches the router as -1, which refuses it with a message.
      await routes.removeRule(/^\d{1,10}$/.test(text) ? Number(text) : -1);
      return redirectWithNote(c, "/routes", `Rule ${text} removed.`);
    } catch (error) {
      return redirectWithNote(c, "/routes", `Not removed: ${(error as Error).message}`);
    }
  });
  return app;
}
