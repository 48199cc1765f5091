import { Hono } from "hono";
import type { UiDeps, UiEnv } from "../context.ts";
import type { FragmentRenderer } from "../live/hub.ts";
import { DmsgSummary, Overview, StoresSummary } from "../pages/overview.tsx";
import { fragmentHtml, redirectWithNote, renderPage } from "./_page.tsx";

/** Live regions of the overview. */
export function overviewFragments(deps: UiDeps): Record<string, FragmentRenderer> {
  return {
    "overview-dmsg": () => fragmentHtml(<DmsgSummary dmsg={deps.api.dmsg()} />),
    "stores": async () => fragmentHtml(<StoresSummary stores={await deps.api.stores()} />),
  };
}

/** `/`: the overview; `POST /stores/check`: probe the stores now. */
export function overviewRoutes(deps: UiDeps): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  const { api } = deps;
  app.get("/", async (c) => {
    const [stores, updateStatus] = await Promise.all([
      api.stores(),
      api.updates.status().catch(() => undefined),
    ]);
    return await renderPage(
      c,
      deps,
      { title: "Overview", live: ["overview-dmsg", "stores"] },
      <Overview
        info={api.info()}
        dmsg={api.dmsg()}
        stores={stores}
        updates={api.updates}
        updateStatus={updateStatus}
        csrf={c.get("session").csrf}
        now={Date.now()}
      />,
    );
  });
  app.post("/stores/check", async (c) => {
    const stores = await api.checkStores();
    const bad = stores.filter((s) => s.last_check?.status !== "ok");
    const note = bad.length
      ? `Store check: ${bad.map((s) => `${s.name} ${s.last_check?.status}`).join(", ")}.`
      : "Store check: every store is healthy.";
    return redirectWithNote(c, "/", note);
  });
  return app;
}
