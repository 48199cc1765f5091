import { Hono } from "hono";
import type { VisorApi } from "../../services/visor/api.ts";
import type { UiDeps, UiEnv } from "../context.ts";
import type { FragmentRenderer } from "../live/hub.ts";
import { NotAvailable } from "../pages/components.tsx";
import { RouteGroups, RoutesNotAvailable, RoutesPage } from "../pages/routing.tsx";
import { fragmentHtml, redirectWithNote, renderPage } from "./_page.tsx";

const TITLE = { title: "Routes", lede: "Routing rules and route groups of the visor." };

/** Live regions of a visor's routes page (route groups; the rules table carries forms). */
export function routingFragments(api: VisorApi): Record<string, FragmentRenderer> {
  const routes = api.routes;
  if (!routes) return {};
  return {
    "route-groups": async () => fragmentHtml(<RouteGroups groups={await routes.groups()} />),
  };
}

/** `/routes`: routing rules and route groups; `POST /routes/:id/remove` removes a rule. */
export function routingRoutes(deps: UiDeps): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  app.get("/routes", async (c) => {
    const { visor, base } = c.get("scope");
    const routes = visor.api.routes;
    if (!routes) {
      return await renderPage(
        c,
        deps,
        TITLE,
        visor.local ? <RoutesNotAvailable /> : <NotAvailable feature="Routes" remote />,
      );
    }
    const [rules, groups] = await Promise.all([routes.rules(), routes.groups()]);
    return await renderPage(
      c,
      deps,
      { ...TITLE, live: ["route-groups"] },
      <RoutesPage rules={rules} groups={groups} csrf={c.get("session").csrf} base={base} />,
    );
  });
  app.post("/routes/:id/remove", async (c) => {
    const routes = c.get("scope").visor.api.routes;
    if (!routes) return c.json({ error: "routes are not available for this visor" }, 501);
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
