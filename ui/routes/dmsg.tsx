import { Hono } from "hono";
import type { UiDeps, UiEnv } from "../context.ts";
import type { FragmentRenderer } from "../live/hub.ts";
import { DmsgPage, DmsgSessions } from "../pages/dmsg.tsx";
import { fragmentHtml, renderPage } from "./_page.tsx";

/** Live regions of the dmsg page. */
export function dmsgFragments(deps: UiDeps): Record<string, FragmentRenderer> {
  return { "dmsg-sessions": () => fragmentHtml(<DmsgSessions dmsg={deps.api.dmsg()} />) };
}

/** `/dmsg`: the dmsg client, its servers and sessions with their latency. */
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
      <DmsgPage dmsg={deps.api.dmsg()} />,
    ));
  return app;
}
