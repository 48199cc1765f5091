import { Hono } from "hono";
import type { VisorApi } from "../../services/visor/api.ts";
import type { UiDeps, UiEnv } from "../context.ts";
import type { FragmentRenderer } from "../live/hub.ts";
import { DmsgPage, DmsgSessions } from "../pages/dmsg.tsx";
import { fragmentHtml, renderPage } from "./_page.tsx";
import { scopeApi } from "./_scope.ts";

/** Live regions of a visor's dmsg page. */
export function dmsgFragments(api: VisorApi): Record<string, FragmentRenderer> {
  return { "dmsg-sessions": () => fragmentHtml(<DmsgSessions dmsg={api.dmsg()} />) };
}

/** `/dmsg`: a visor's dmsg client, its servers and sessions with their latency. */
export function dmsgRoutes(deps: UiDeps): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  app.get("/dmsg", (c) =>
    renderPage(
      c,
      deps,
      {
        title: "DMSG",
        lede: "Sessions with dmsg relay servers; latency is the last keep-alive round trip.",
        live: ["dmsg-sessions"],
      },
      <DmsgPage dmsg={scopeApi(c).dmsg()} />,
    ));
  return app;
}
