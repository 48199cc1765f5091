import { Hono } from "hono";
import { parseLogLevel } from "../../mod/log/mod.ts";
import type { UiDeps, UiEnv } from "../context.ts";
import { NotAvailable } from "../pages/components.tsx";
import { LogsPage } from "../pages/logs.tsx";
import { renderPage } from "./_page.tsx";

/** Lines the page shows at first (the stream appends after them). */
const PAGE_LINES = 300;

/** `/logs?level=warn`: the visor's newest log lines, following new ones live (this node's). */
export function logsRoutes(deps: UiDeps): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  app.get("/logs", async (c) => {
    const { visor, base } = c.get("scope");
    const ring = visor.api.logs;
    const meta = { title: "Logs", lede: "The visor's newest log lines, kept in memory." };
    if (!ring) {
      return await renderPage(
        c,
        deps,
        meta,
        visor.local
          ? (
            <NotAvailable feature="Logs">
              <p>This node keeps no log lines in memory; see its standard error instead.</p>
            </NotAvailable>
          )
          : <NotAvailable feature="Logs" remote />,
      );
    }
    const level = parseLogLevel(c.req.query("level") ?? "") ?? "info";
    return await renderPage(
      c,
      deps,
      // The live log stream follows this node's log only.
      { ...meta, live: visor.local ? ["logs"] : [] },
      <LogsPage
        entries={ring.tail({ minLevel: level, limit: PAGE_LINES })}
        level={level}
        kept={ring.size}
        base={base}
      />,
    );
  });
  return app;
}
