import { Hono } from "hono";
import { VERSION } from "../../mod/version/mod.ts";
import type { UiDeps, UiEnv } from "../context.ts";
import { UpdatesPage } from "../pages/updates.tsx";
import { redirectWithNote, renderPage } from "./_page.tsx";

/** `/updates`: state and history; `POST /updates/check` and `POST /updates/install`. */
export function updatesRoutes(deps: UiDeps): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  const { updates } = deps.api;
  app.get("/updates", async (c) =>
    await renderPage(
      c,
      deps,
      { title: "Updates", lede: "Signed releases, installed in place with rollback." },
      <UpdatesPage
        version={VERSION}
        updates={updates}
        status={await updates.status().catch(() => undefined)}
        csrf={c.get("session").csrf}
      />,
    ));
  app.post("/updates/check", async (c) => {
    const outcome = await updates.check();
    deps.logger.info("update check from the UI", { status: outcome.status });
    return redirectWithNote(c, "/updates", `Check: ${outcome.message}`);
  });
  app.post("/updates/install", async (c) => {
    const outcome = await updates.install();
    deps.logger.info("update install from the UI", { status: outcome.status });
    return redirectWithNote(c, "/updates", `Install: ${outcome.message}`);
  });
  return app;
}
