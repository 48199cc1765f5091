import { Hono } from "hono";
import type { UiDeps, UiEnv } from "../context.ts";
import { AppsNotAvailable, AppsPage } from "../pages/apps.tsx";
import { NotAvailable } from "../pages/components.tsx";
import { redirectWithNote, renderPage } from "./_page.tsx";

const TITLE = { title: "Apps", lede: "Apps the visor launches, and the proxies they offer." };

/** `/apps`: list, `POST /apps/:name/start` and `POST /apps/:name/stop`. */
export function appsRoutes(deps: UiDeps): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  app.get("/apps", async (c) => {
    const { visor, base } = c.get("scope");
    const apps = visor.api.apps;
    if (!apps) {
      return await renderPage(
        c,
        deps,
        TITLE,
        visor.local ? <AppsNotAvailable /> : <NotAvailable feature="Apps" remote />,
      );
    }
    return await renderPage(
      c,
      deps,
      TITLE,
      <AppsPage apps={await apps.list()} csrf={c.get("session").csrf} base={base} />,
    );
  });
  app.post("/apps/:name/:action{start|stop}", async (c) => {
    const apps = c.get("scope").visor.api.apps;
    if (!apps) return c.json({ error: "apps are not available for this visor" }, 501);
    const name = c.req.param("name");
    const action = c.req.param("action") as "start" | "stop";
    try {
      await apps[action](name);
      return redirectWithNote(
        c,
        "/apps",
        `${name}: ${action === "start" ? "started" : "stopped"}.`,
      );
    } catch (error) {
      return redirectWithNote(c, "/apps", `${name}: ${(error as Error).message}`);
    }
  });
  return app;
}
