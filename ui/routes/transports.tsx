import { Hono } from "hono";
import type { UiDeps, UiEnv } from "../context.ts";
import { formFields } from "../middleware/csrf.ts";
import { TransportsNotAvailable, TransportsPage } from "../pages/transports.tsx";
import { redirectWithNote, renderPage } from "./_page.tsx";

const TITLE = { title: "Transports", lede: "Direct links to other visors." };

/** `/transports`: list, add (`POST /transports`) and remove (`POST /transports/:id/remove`). */
export function transportsRoutes(deps: UiDeps): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  app.get("/transports", async (c) => {
    const transports = deps.api.transports;
    if (!transports) return await renderPage(c, deps, TITLE, <TransportsNotAvailable />);
    return await renderPage(
      c,
      deps,
      TITLE,
      <TransportsPage
        transports={await transports.list()}
        types={await transports.types()}
        csrf={c.get("session").csrf}
      />,
    );
  });
  app.post("/transports", async (c) => {
    const transports = deps.api.transports;
    if (!transports) return c.json({ error: "transports are not available in this build" }, 501);
    const form = await formFields(c);
    const remote = String(form.remote_pk ?? "").trim();
    const type = String(form.type ?? "");
    try {
      const tp = await transports.add({ remote_pk: remote, type });
      return redirectWithNote(c, "/transports", `Transport ${tp.id} added.`);
    } catch (error) {
      return redirectWithNote(c, "/transports", `Not added: ${(error as Error).message}`);
    }
  });
  app.post("/transports/:id/remove", async (c) => {
    const transports = deps.api.transports;
    if (!transports) return c.json({ error: "transports are not available in this build" }, 501);
    const id = c.req.param("id");
    try {
      await transports.remove(id);
      return redirectWithNote(c, "/transports", `Transport ${id} removed.`);
    } catch (error) {
      return redirectWithNote(c, "/transports", `Not removed: ${(error as Error).message}`);
    }
  });
  return app;
}
