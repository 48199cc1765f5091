import { Hono } from "hono";
import type { UiDeps, UiEnv } from "../context.ts";
import { formFields } from "../middleware/csrf.ts";
import { NotAvailable } from "../pages/components.tsx";
import { TransportsNotAvailable, TransportsPage } from "../pages/transports.tsx";
import { redirectWithNote, renderPage } from "./_page.tsx";

const TITLE = { title: "Transports", lede: "Direct links to other visors." };

/** `/transports`: list, add (`POST /transports`) and remove (`POST /transports/:id/remove`). */
export function transportsRoutes(deps: UiDeps): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  const missing = { error: "transports are not available for this visor" };
  app.get("/transports", async (c) => {
    const { visor, base } = c.get("scope");
    const transports = visor.api.transports;
    if (!transports) {
      return await renderPage(
        c,
        deps,
        TITLE,
        visor.local ? <TransportsNotAvailable /> : <NotAvailable feature="Transports" remote />,
      );
    }
    const [list, types] = await Promise.all([transports.list(), transports.types()]);
    return await renderPage(
      c,
      deps,
      TITLE,
      <TransportsPage transports={list} types={types} csrf={c.get("session").csrf} base={base} />,
    );
  });
  app.post("/transports", async (c) => {
    const transports = c.get("scope").visor.api.transports;
    if (!transports) return c.json(missing, 501);
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
    const transports = c.get("scope").visor.api.transports;
    if (!transports) return c.json(missing, 501);
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
