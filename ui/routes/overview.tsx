import { Hono } from "hono";
import type { VisorApi } from "../../services/visor/api.ts";
import type { UiDeps, UiEnv } from "../context.ts";
import type { FragmentRenderer } from "../live/hub.ts";
import { DmsgSummary, Overview, StoresSummary } from "../pages/overview.tsx";
import { IMPLEMENTATION } from "../pages/visors.tsx";
import { fragmentHtml, redirectWithNote, renderPage } from "./_page.tsx";
import { scopeApi } from "./_scope.ts";

/** Live regions of a visor's overview. */
export function overviewFragments(api: VisorApi): Record<string, FragmentRenderer> {
  return {
    "overview-dmsg": () => fragmentHtml(<DmsgSummary dmsg={api.dmsg()} />),
    "stores": async () => fragmentHtml(<StoresSummary stores={await api.stores()} />),
  };
}

/** `/`: a visor's overview; `POST /stores/check`: probe its stores now. */
export function overviewRoutes(deps: UiDeps): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  app.get("/", async (c) => {
    const { visor, base } = c.get("scope");
    const api = visor.api;
    // A remote visor may not report its stores or updater: its card says so instead.
    const [stores, updateStatus] = await Promise.all([
      api.stores().catch(() => undefined),
      api.updates.status().catch(() => undefined),
    ]);
    return await renderPage(
      c,
      deps,
      { title: "Overview", live: stores ? ["overview-dmsg", "stores"] : ["overview-dmsg"] },
      <Overview
        info={api.info()}
        dmsg={api.dmsg()}
        stores={stores}
        updates={api.updates}
        updateStatus={updateStatus}
        csrf={c.get("session").csrf}
        now={Date.now()}
        base={base}
        local={visor.local}
        implementation={visor.local ? undefined : IMPLEMENTATION[visor.implementation]}
        unavailable={visor.unavailable}
      />,
    );
  });
  app.post("/stores/check", async (c) => {
    let note: string;
    try {
      const stores = await scopeApi(c).checkStores();
      const bad = stores.filter((s) => s.last_check?.status !== "ok");
      note = bad.length
        ? `Store check: ${bad.map((s) => `${s.name} ${s.last_check?.status}`).join(", ")}.`
        : "Store check: every store is healthy.";
    } catch (error) {
      note = `Store check failed: ${(error as Error).message}`;
    }
    return redirectWithNote(c, "/", note);
  });
  return app;
}
