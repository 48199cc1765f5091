import { Hono } from "hono";
import type { VisorApi } from "../../services/visor/api.ts";
import type { FleetVisor } from "../../services/visor/fleet_types.ts";
import type { UiDeps, UiEnv } from "../context.ts";
import type { FragmentRenderer } from "../live/hub.ts";
import { VISOR_PAGES } from "../pages/layout.tsx";
import { NotConnected, type VisorRow, VisorsPage, VisorsTable } from "../pages/visors.tsx";
import { fragmentHtml, renderPage } from "./_page.tsx";
import { fleetScope, refreshWithin, scopePath, visorBase } from "./_scope.ts";
import { appsRoutes } from "./apps.tsx";
import { dmsgFragments, dmsgRoutes } from "./dmsg.tsx";
import { logsRoutes } from "./logs.tsx";
import { overviewFragments, overviewRoutes } from "./overview.tsx";
import { routingFragments, routingRoutes } from "./routing.tsx";
import { transportsRoutes } from "./transports.tsx";

/** The live topic of the Visors page. */
export const VISORS_TOPIC = "visors";

/** The pages every visor has, this node's at `/` and a fleet member's under `/visors/:pk`. */
export const VISOR_PAGE_ROUTES: ReadonlyArray<(deps: UiDeps) => Hono<UiEnv>> = [
  overviewRoutes,
  dmsgRoutes,
  transportsRoutes,
  routingRoutes,
  appsRoutes,
  logsRoutes,
];

/** The live regions of a visor's pages, rendered from its API. */
export function visorFragments(api: VisorApi): Record<string, FragmentRenderer> {
  return { ...overviewFragments(api), ...dmsgFragments(api), ...routingFragments(api) };
}

/** One fleet member's row: its state fetched now (within the fleet timeout). */
async function visorRow(deps: UiDeps, visor: FleetVisor): Promise<VisorRow> {
  const row: VisorRow = {
    pk: visor.pk,
    local: visor.local,
    implementation: visor.implementation,
    connected_at: visor.connectedAt.toISOString(),
  };
  const error = await refreshWithin(visor, deps.fleetTimeoutMs);
  if (error !== undefined) return { ...row, error };
  try {
    const info = visor.api.info();
    const transports = await visor.api.transports?.list().catch(() => undefined);
    return {
      ...row,
      version: info.version,
      started_at: info.started_at,
      dmsg_sessions: visor.api.dmsg().sessions.length,
      transports: transports?.length,
    };
  } catch (cause) {
    return { ...row, error: (cause as Error).message };
  }
}

/** Every fleet member's row, this node first. */
export function visorRows(deps: UiDeps): Promise<VisorRow[]> {
  return Promise.all(deps.fleet.list().map((visor) => visorRow(deps, visor)));
}

/**
 * The live regions of the fleet: `visors` (the Visors page's table) and, for topics
 * `name@<pk>`, the region `name` of that visor's pages (a visor gone renders a note).
 */
export function fleetFragments(deps: UiDeps): {
  fragments: Record<string, FragmentRenderer>;
  resolve: (topic: string) => FragmentRenderer | undefined;
} {
  const names = new Set(Object.keys(visorFragments(deps.api)).concat("stores", "route-groups"));
  return {
    fragments: {
      [VISORS_TOPIC]: async () =>
        fragmentHtml(<VisorsTable rows={await visorRows(deps)} now={Date.now()} />),
    },
    resolve: (topic) => {
      const at = topic.indexOf("@");
      if (at < 0 || !names.has(topic.slice(0, at))) return undefined;
      const name = topic.slice(0, at);
      const pk = topic.slice(at + 1);
      return async () => {
        const visor = deps.fleet.get(pk);
        const failed = visor ? await refreshWithin(visor, deps.fleetTimeoutMs) : "gone";
        if (!visor || failed !== undefined) {
          return fragmentHtml(<p class="muted">The visor is not connected now.</p>);
        }
        const render = visorFragments(visor.api)[name];
        return render ? await render() : "";
      };
    },
  };
}

/** Where the switcher goes: a visor page of the same kind as the one it was used on. */
function switchTarget(deps: UiDeps, pk: string, page: string): string {
  const visor = deps.fleet.get(pk.toLowerCase());
  if (!visor) return "/visors";
  const known = VISOR_PAGES.some((p) => p.href === page) ? page : "/";
  return scopePath({ visor, base: visor.local ? "" : visorBase(visor.pk) }, known);
}

/**
 * `/visors`: the fleet (live); `/visors/switch?pk=&page=`: the layout's visor switcher;
 * `/visors/:pk/...`: the overview, dmsg, transports, routes, apps and logs pages of a fleet
 * member, with their actions, or a "not connected" page.
 */
export function visorsRoutes(deps: UiDeps): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  app.get("/visors", async (c) =>
    await renderPage(
      c,
      deps,
      {
        title: "Visors",
        lede: "This node and the visors that use it as their hypervisor.",
        live: [VISORS_TOPIC],
      },
      <VisorsPage rows={await visorRows(deps)} now={Date.now()} />,
    ));
  app.get(
    "/visors/switch",
    (c) => c.redirect(switchTarget(deps, c.req.query("pk") ?? "", c.req.query("page") ?? "/"), 303),
  );

  const visor = new Hono<UiEnv>();
  visor.use(fleetScope(deps, async (c, why) => {
    const pk = c.req.param("pk") ?? "";
    if (c.req.method !== "GET") return c.text(why.message, why.status);
    return await renderPage(
      c,
      deps,
      { title: "Not connected", status: why.status === 503 ? 503 : 404 },
      <NotConnected pk={pk} message={why.message} />,
    );
  }));
  for (const routes of VISOR_PAGE_ROUTES) visor.route("/", routes(deps));
  app.route("/visors/:pk", visor);
  return app;
}
