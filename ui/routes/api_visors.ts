import { type Context, Hono, type MiddlewareHandler } from "hono";
import { PubKey } from "../../mod/cipher/mod.ts";
import type { VisorApi } from "../../services/visor/api.ts";
import { VisorApiError } from "../../services/visor/api_types.ts";
import type { UiDeps, UiEnv } from "../context.ts";
import { sessionCsrf } from "../middleware/csrf.ts";
import { requireSession } from "../middleware/session.ts";
import { boolQuery, routeGroupsJson, routingRuleJson } from "./_route_json.ts";

/**
 * The JSON API under `/api`, on Go's hypervisor paths and field names where there is a
 * counterpart (`pkg/visor/hypervisor.go`), so scripts written for Go's hypervisor keep working:
 * `/api/about`, `/api/dmsg`, `/api/visors`, `/api/visors/{pk}`, `.../summary`, `.../health`,
 * `.../uptime`, `.../dmsg/sessions`, `.../runtime-logs`, `.../transport-types`,
 * `.../transports[/{tid}]`, `.../routes[/{rid}]`, `.../routegroups`, `.../apps[/{app}]`. Ours beside
 * them: `.../update` (+ `/check`) and `.../stores` (+ `/check`). Features this build does not
 * have answer 501 with `{"error": "... not available in this build"}`. Every route needs a
 * session; the ones that change state also need the CSRF token (`X-CSRF-Token`, see
 * `/api/csrf`).
 */
export function apiRoutes(deps: UiDeps): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  const { api } = deps;
  const signedIn = [requireSession(deps, { api: true }), sessionCsrf()] as const;

  // Public, as in Go: a liveness probe for scripts.
  app.get("/api/ping", (c) => c.json("PONG!"));

  app.get("/api/about", ...signedIn, (c) => {
    const info = api.info();
    const sessions = api.dmsg().sessions.length;
    return c.json({
      public_key: info.pk,
      build: buildInfo(info.version),
      dmsg_connected: sessions > 0,
      dmsg_sessions: sessions,
    });
  });
  app.get("/api/dmsg", ...signedIn, (c) => {
    const stats = dmsgStats(api);
    return c.json(stats ? [stats] : []);
  });
  app.get("/api/visors", ...signedIn, async (c) => c.json([await overview(api)]));

  const visor = new Hono<UiEnv>();
  visor.use(...signedIn, ownKey(api));
  visor.get("/", async (c) => c.json(await overview(api)));
  visor.get("/summary", async (c) => c.json(await summary(api)));
  visor.get("/health", async (c) => c.json({ status: 200, ...(await health(api)) }));
  visor.get("/uptime", (c) => c.json(uptimeSeconds(api)));
  visor.get("/dmsg/sessions", (c) => {
    const info = api.info();
    const servers = api.dmsg().sessions.map((s) => s.server_pk);
    return c.json({ main: { pk: info.pk, role: "main", count: servers.length, servers } });
  });
  visor.get("/runtime-logs", (c) => {
    const lines = api.logs?.tail().map((e) => e.line) ?? [];
    return c.json(lines.join("\n"));
  });
  visor.get("/stores", async (c) => c.json(await api.stores()));
  visor.post("/stores/check", async (c) => c.json(await api.checkStores()));
  visor.get("/update", async (c) =>
    c.json({
      settings: api.updates.settings,
      check_unavailable: api.updates.checkUnavailable ?? null,
      install_unavailable: api.updates.installUnavailable ?? null,
      status: (await api.updates.status()) ?? null,
    }));
  visor.post("/update/check", async (c) => c.json(await api.updates.check()));

  const notAvailable = (c: Context, what: string) =>
    c.json({ error: `${what} are not available in this build` }, 501);

  visor.get("/transport-types", async (c) => {
    const tps = api.transports;
    return tps ? c.json(await tps.types()) : notAvailable(c, "transports");
  });
  visor.get("/transports", async (c) => {
    const tps = api.transports;
    return tps ? c.json(await tps.list()) : notAvailable(c, "transports");
  });
  visor.post("/transports", async (c) => {
    const tps = api.transports;
    if (!tps) return notAvailable(c, "transports");
    const body = await c.req.json().catch(() => undefined);
    // Go's body: {"remote_pk": "...", "transport_type": "...", ...}.
    const remote = body?.remote_pk;
    const type = body?.transport_type ?? body?.type;
    if (typeof remote !== "string" || typeof type !== "string") {
      return c.json({ error: "request format is malformed" }, 400);
    }
    try {
      return c.json(await tps.add({ remote_pk: remote, type, label: body?.label }));
    } catch (error) {
      return c.json({ error: (error as Error).message }, 500);
    }
  });
  visor.get("/transports/:tid", async (c) => {
    const tps = api.transports;
    if (!tps) return notAvailable(c, "transports");
    const tp = (await tps.list()).find((t) => t.id === c.req.param("tid"));
    return tp ? c.json(tp) : c.json({ error: "transport not found" }, 404);
  });
  visor.delete("/transports/:tid", async (c) => {
    const tps = api.transports;
    if (!tps) return notAvailable(c, "transports");
    try {
      await tps.remove(c.req.param("tid"));
      return c.json(true);
    } catch (error) {
      return c.json({ error: (error as Error).message }, 404);
    }
  });
  visor.get("/routes", async (c) => {
    const routes = api.routes;
    if (!routes) return notAvailable(c, "routes");
    const withSummary = boolQuery(c.req.query("summary"), false);
    if (withSummary === undefined) return c.json({ error: "summary: want a boolean" }, 400);
    return c.json((await routes.rules()).map((r) => routingRuleJson(r, withSummary)));
  });
  visor.get("/routes/:rid", async (c) => {
    const routes = api.routes;
    if (!routes) return notAvailable(c, "routes");
    const withSummary = boolQuery(c.req.query("summary"), true);
    if (withSummary === undefined) return c.json({ error: "summary: want a boolean" }, 400);
    try {
      return c.json(routingRuleJson(await routes.rule(routeIdParam(c)), withSummary));
    } catch (error) {
      return apiError(c, error);
    }
  });
  visor.delete("/routes/:rid", async (c) => {
    const routes = api.routes;
    if (!routes) return notAvailable(c, "routes");
    try {
      await routes.removeRule(routeIdParam(c));
      return c.json(true);
    } catch (error) {
      return apiError(c, error);
    }
  });
  visor.get("/routegroups", async (c) => {
    const routes = api.routes;
    if (!routes) return notAvailable(c, "route groups");
    const [rules, groups] = await Promise.all([routes.rules(), routes.groups()]);
    return c.json(routeGroupsJson(rules, groups));
  });
  visor.get("/apps", async (c) => {
    const apps = api.apps;
    return apps ? c.json(await apps.list()) : notAvailable(c, "apps");
  });
  visor.get("/apps/:app", async (c) => {
    const apps = api.apps;
    if (!apps) return notAvailable(c, "apps");
    const found = (await apps.list()).find((a) => a.name === c.req.param("app"));
    return found ? c.json(found) : c.json({ error: "app not found" }, 404);
  });
  visor.put("/apps/:app", async (c) => {
    const apps = api.apps;
    if (!apps) return notAvailable(c, "apps");
    // Go's body: {"status": 1} starts, {"status": 0} stops.
    const body = await c.req.json().catch(() => undefined);
    if (body?.status !== 0 && body?.status !== 1) {
      return c.json({ error: "request format is malformed" }, 400);
    }
    const name = c.req.param("app");
    try {
      await (body.status === 1 ? apps.start(name) : apps.stop(name));
      return c.json((await apps.list()).find((a) => a.name === name) ?? null);
    } catch (error) {
      return c.json({ error: (error as Error).message }, 500);
    }
  });
  app.route("/api/visors/:pk", visor);
  return app;
}

/** The `:rid` of a route path; a malformed one reaches the API, which answers 400. */
function routeIdParam(c: Context): number {
  const text = c.req.param("rid") ?? "";
  return /^\d{1,10}$/.test(text) ? Number(text) : -1;
}

/** A {@linkcode VisorApiError} answers with its status; anything else is left to `onError`. */
function apiError(c: Context, error: unknown) {
  if (!(error instanceof VisorApiError)) throw error;
  return c.json({ error: error.message }, error.status as 400 | 404 | 500);
}

/** 400 for a key that does not parse, 404 for another visor's (no fleet in this build). */
function ownKey(api: VisorApi): MiddlewareHandler<UiEnv> {
  return async (c, next) => {
    const text = c.req.param("pk") ?? "";
    try {
      PubKey.fromHex(text);
    } catch {
      return c.json({ error: "invalid public key" }, 400);
    }
    if (text.toLowerCase() !== api.info().pk) {
      return c.json({ error: `visor ${text} is not connected to this hypervisor` }, 404);
    }
    await next();
  };
}

function buildInfo(version: string) {
  return { version, commit: "", date: "" };
}

function uptimeSeconds(api: VisorApi): number {
  return Math.max(0, (Date.now() - Date.parse(api.info().started_at)) / 1000);
}

// Go encodes durations (time.Duration) as integer nanoseconds.
function nanoseconds(ms: number | null): number {
  return ms === null ? 0 : Math.round(ms * 1e6);
}

function dmsgStats(api: VisorApi) {
  const sessions = api.dmsg().sessions;
  if (sessions.length === 0) return null;
  // The fastest session, as Go's dmsg tracker reports one per visor.
  const best =
    [...sessions].sort((a, b) => (a.latency_ms ?? Infinity) - (b.latency_ms ?? Infinity))[0];
  return {
    public_key: api.info().pk,
    server_public_key: best.server_pk,
    round_trip: nanoseconds(best.latency_ms),
  };
}

async function health(api: VisorApi) {
  const sessions = api.dmsg().sessions.length;
  const stores = await api.stores();
  const healthy = sessions > 0 && stores.every((s) => s.last_check?.status === "ok");
  return { services_health: healthy ? "healthy" : "connecting" };
}

async function overview(api: VisorApi) {
  const info = api.info();
  const [apps, transports, rules] = await Promise.all([
    api.apps?.list() ?? [],
    api.transports?.list() ?? [],
    api.routes?.rules() ?? [],
  ]);
  return {
    local_pk: info.pk,
    build_info: buildInfo(info.version),
    app_protocol_version: "",
    apps,
    transports,
    routes_count: rules.length,
    local_ip: "",
    public_ip: "",
    is_symmetic_nat: false,
    hypervisors: info.hypervisors,
    connected_hypervisor: [],
  };
}

async function summary(api: VisorApi) {
  const info = api.info();
  const sessions = api.dmsg().sessions;
  const [base, state, rules, groups] = await Promise.all([
    overview(api),
    health(api),
    api.routes?.rules() ?? [],
    api.routes?.groups() ?? [],
  ]);
  return {
    overview: base,
    health: state,
    uptime: uptimeSeconds(api),
    routes: rules.map((r) => routingRuleJson(r, true)),
    route_groups: routeGroupsJson(rules, groups),
    dmsg_stats: dmsgStats(api),
    connected_dmsg_servers: sessions.map((s) => s.server_pk),
    dmsg_servers: sessions.map((s) => ({ pk: s.server_pk, latency: nanoseconds(s.latency_ms) })),
    online: true,
    min_hops: info.min_hops,
    persistent_transports: null,
    reward_address: "",
    build_tag: "",
    config_version: "",
    public_autoconnect: false,
    is_public: info.is_public,
  };
}
