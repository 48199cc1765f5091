import { type Context, Hono } from "hono";
import type { RuleSummary, VisorApi } from "../../services/visor/api.ts";
import { VisorApiError } from "../../services/visor/api_types.ts";
import type { UiDeps, UiEnv } from "../context.ts";
import { sessionCsrf } from "../middleware/csrf.ts";
import { requireSession } from "../middleware/session.ts";
import {
  dmsgStats,
  emptyOverview,
  fleetSummary,
  health,
  overview,
  summary,
  uptimeSeconds,
} from "./_api_json.ts";
import { boolQuery, routeGroupsJson, routingRuleJson } from "./_route_json.ts";
import { fleetScope, refreshWithin, scopeApi } from "./_scope.ts";

const MALFORMED = "request format is malformed";

/**
 * The JSON API under `/api`, on Go's hypervisor paths and field names where there is a
 * counterpart (`pkg/visor/hypervisor.go`), so scripts written for Go's hypervisor keep working:
 * `/api/about`, `/api/dmsg`, `/api/visors`, `/api/visors-summary`, `/api/visors/{pk}`,
 * `.../summary`, `.../health`, `.../uptime`, `.../dmsg/sessions`, `.../runtime-logs`,
 * `.../transport-types`, `.../transports[/{tid}]` (and `DELETE .../transports/` with a list),
 * `.../routes[/{rid}]` (GET, POST, PUT, DELETE, and `DELETE .../routes/` with a list),
 * `.../routegroups`, `.../apps[/{app}]`, `.../apps/{app}/logs`. Ours beside them: `.../update` (+ `/check`) and
 * `.../stores` (+ `/check`). `{pk}` is any visor of the fleet (404 for one not connected, 503
 * for one that does not answer); what a visor does not offer answers 501 with
 * `{"error": "... not available for this visor"}`. Every route needs a session; the ones that
 * change state also need the CSRF token (`X-CSRF-Token`, see `/api/csrf`).
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
      build: { version: info.version, commit: "", date: "" },
      dmsg_connected: sessions > 0,
      dmsg_sessions: sessions,
    });
  });
  app.get("/api/dmsg", ...signedIn, async (c) => {
    const stats = await Promise.all(
      deps.fleet.list().map(async (visor) => {
        const failed = await refreshWithin(visor, deps.fleetTimeoutMs);
        return failed === undefined ? dmsgStats(visor.api) : null;
      }),
    );
    return c.json(stats.filter((s) => s !== null));
  });
  // Go lists a visor it could not ask with its key alone.
  app.get("/api/visors", ...signedIn, async (c) =>
    c.json(
      await Promise.all(
        deps.fleet.list().map(async (visor) => {
          const failed = await refreshWithin(visor, deps.fleetTimeoutMs);
          if (failed !== undefined) return emptyOverview(visor.pk);
          return await overview(visor.api).catch(() => emptyOverview(visor.pk));
        }),
      ),
    ));
  app.get("/api/visors-summary", ...signedIn, async (c) =>
    c.json(
      await Promise.all(
        deps.fleet.list().map(async (visor) =>
          await fleetSummary(visor, await refreshWithin(visor, deps.fleetTimeoutMs))
        ),
      ),
    ));

  const visor = new Hono<UiEnv>();
  visor.use(...signedIn, fleetScope(deps, (c, why) => c.json({ error: why.message }, why.status)));
  visor.get("/", async (c) => c.json(await overview(scopeApi(c))));
  visor.get("/summary", async (c) => c.json(await summary(scopeApi(c))));
  visor.get("/health", async (c) => c.json({ status: 200, ...(await health(scopeApi(c))) }));
  visor.get("/uptime", (c) => c.json(uptimeSeconds(scopeApi(c))));
  visor.get("/dmsg/sessions", (c) => {
    const api = scopeApi(c);
    const servers = api.dmsg().sessions.map((s) => s.server_pk);
    return c.json({ main: { pk: api.info().pk, role: "main", count: servers.length, servers } });
  });
  visor.get("/runtime-logs", (c) => {
    const lines = scopeApi(c).logs?.tail().map((e) => e.line) ?? [];
    return c.json(lines.join("\n"));
  });
  visor.get("/stores", async (c) => c.json(await scopeApi(c).stores()));
  visor.post("/stores/check", async (c) => c.json(await scopeApi(c).checkStores()));
  visor.get("/update", async (c) => {
    const { updates } = scopeApi(c);
    return c.json({
      settings: updates.settings,
      check_unavailable: updates.checkUnavailable ?? null,
      install_unavailable: updates.installUnavailable ?? null,
      status: (await updates.status()) ?? null,
    });
  });
  visor.post("/update/check", async (c) => c.json(await scopeApi(c).updates.check()));
  transportPaths(visor);
  routePaths(visor);
  appPaths(visor);
  app.route("/api/visors/:pk", visor);
  return app;
}

function notAvailable(c: Context, what: string) {
  return c.json({ error: `${what} are not available for this visor` }, 501);
}

/** A {@linkcode VisorApiError} answers with its status; anything else is left to `onError`. */
function apiError(c: Context, error: unknown) {
  if (!(error instanceof VisorApiError)) throw error;
  return c.json({ error: error.message }, error.status as 400 | 404 | 500);
}

/** A JSON body, or `undefined` when it is not JSON. */
async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}

/** Go's answer to a list of removals: `{id: {success, error}}` for each id asked. */
async function removeEach(
  ids: unknown[],
  remove: (id: string) => Promise<void>,
): Promise<Record<string, { success: boolean; error: string }>> {
  const answer: Record<string, { success: boolean; error: string }> = {};
  for (const id of ids) {
    const key = String(id);
    try {
      await remove(key);
      answer[key] = { success: true, error: "" };
    } catch (error) {
      answer[key] = { success: false, error: (error as Error).message };
    }
  }
  return answer;
}

// A list removal is one request; its work stays bounded.
const MAX_LIST = 256;

function transportPaths(visor: Hono<UiEnv>): void {
  const tpsOf = (c: Context<UiEnv>) => scopeApi(c).transports;
  visor.get("/transport-types", async (c) => {
    const tps = tpsOf(c);
    return tps ? c.json(await tps.types()) : notAvailable(c, "transports");
  });
  visor.get("/transports", async (c) => {
    const tps = tpsOf(c);
    return tps ? c.json(await tps.list()) : notAvailable(c, "transports");
  });
  visor.post("/transports", async (c) => {
    const tps = tpsOf(c);
    if (!tps) return notAvailable(c, "transports");
    const body = await jsonBody(c) as Record<string, unknown> | undefined;
    // Go's body: {"remote_pk": "...", "transport_type": "...", ...}.
    const remote = body?.remote_pk;
    const type = body?.transport_type ?? body?.type;
    if (typeof remote !== "string" || typeof type !== "string") {
      return c.json({ error: MALFORMED }, 400);
    }
    const label = typeof body?.label === "string" ? body.label : undefined;
    try {
      return c.json(await tps.add({ remote_pk: remote, type, label }));
    } catch (error) {
      return c.json({ error: (error as Error).message }, 500);
    }
  });
  visor.get("/transports/:tid", async (c) => {
    const tps = tpsOf(c);
    if (!tps) return notAvailable(c, "transports");
    const tp = (await tps.list()).find((t) => t.id === c.req.param("tid"));
    return tp ? c.json(tp) : c.json({ error: "transport not found" }, 404);
  });
  visor.delete("/transports/:tid", async (c) => {
    const tps = tpsOf(c);
    if (!tps) return notAvailable(c, "transports");
    try {
      await tps.remove(c.req.param("tid"));
      return c.json(true);
    } catch (error) {
      return c.json({ error: (error as Error).message }, 404);
    }
  });
  // Go: a JSON list of transport ids; each gets its own outcome.
  visor.delete("/transports/", async (c) => {
    const tps = tpsOf(c);
    if (!tps) return notAvailable(c, "transports");
    const ids = await jsonBody(c);
    if (!Array.isArray(ids) || ids.length > MAX_LIST) return c.json({ error: MALFORMED }, 400);
    return c.json(await removeEach(ids, (id) => tps.remove(id)));
  });
}

/** The `:rid` of a route path; a malformed one reaches the API, which answers 400. */
function routeIdParam(c: Context): number {
  return routeId(c.req.param("rid") ?? "");
}

function routeId(text: string): number {
  return /^\d{1,10}$/.test(text) ? Number(text) : -1;
}

/** A rule summary from a request body: an object, or `undefined`. */
function ruleBody(body: unknown): RuleSummary | undefined {
  return typeof body === "object" && body !== null && !Array.isArray(body)
    ? body as RuleSummary
    : undefined;
}

/** Save a rule and answer Go's `routingRuleResp` of it, summary included. */
async function saveRule(c: Context, api: VisorApi, rule: RuleSummary) {
  const routes = api.routes!;
  try {
    const id = await routes.addRule(rule);
    return c.json(routingRuleJson(await routes.rule(id), true));
  } catch (error) {
    return apiError(c, error);
  }
}

function routePaths(visor: Hono<UiEnv>): void {
  visor.get("/routes", async (c) => {
    const routes = scopeApi(c).routes;
    if (!routes) return notAvailable(c, "routes");
    const withSummary = boolQuery(c.req.query("summary"), false);
    if (withSummary === undefined) return c.json({ error: "summary: want a boolean" }, 400);
    return c.json((await routes.rules()).map((r) => routingRuleJson(r, withSummary)));
  });
  // Go: the body is a `RuleSummary`; the answer the saved rule with its summary.
  visor.post("/routes", async (c) => {
    const api = scopeApi(c);
    if (!api.routes) return notAvailable(c, "routes");
    const rule = ruleBody(await jsonBody(c));
    if (!rule) return c.json({ error: MALFORMED }, 400);
    return await saveRule(c, api, rule);
  });
  visor.get("/routes/:rid", async (c) => {
    const routes = scopeApi(c).routes;
    if (!routes) return notAvailable(c, "routes");
    const withSummary = boolQuery(c.req.query("summary"), true);
    if (withSummary === undefined) return c.json({ error: "summary: want a boolean" }, 400);
    try {
      return c.json(routingRuleJson(await routes.rule(routeIdParam(c)), withSummary));
    } catch (error) {
      return apiError(c, error);
    }
  });
  // Go saves the body's rule under the path's id; a body naming another id is refused here
  // rather than saved under that other id.
  visor.put("/routes/:rid", async (c) => {
    const api = scopeApi(c);
    if (!api.routes) return notAvailable(c, "routes");
    const rid = routeIdParam(c);
    if (rid <= 0) return c.json({ error: `invalid route id ${c.req.param("rid")}` }, 400);
    const rule = ruleBody(await jsonBody(c));
    if (!rule) return c.json({ error: MALFORMED }, 400);
    const key = rule.key_route_id ?? rid;
    if (key !== rid) {
      return c.json({ error: `the rule's key_route_id ${key} is not the path's ${rid}` }, 400);
    }
    return await saveRule(c, api, { ...rule, key_route_id: rid });
  });
  visor.delete("/routes/:rid", async (c) => {
    const routes = scopeApi(c).routes;
    if (!routes) return notAvailable(c, "routes");
    try {
      await routes.removeRule(routeIdParam(c));
      return c.json(true);
    } catch (error) {
      return apiError(c, error);
    }
  });
  // Go: a JSON list of route ids (strings); each gets its own outcome.
  visor.delete("/routes/", async (c) => {
    const routes = scopeApi(c).routes;
    if (!routes) return notAvailable(c, "routes");
    const ids = await jsonBody(c);
    if (!Array.isArray(ids) || ids.length > MAX_LIST) return c.json({ error: MALFORMED }, 400);
    return c.json(await removeEach(ids, (id) => routes.removeRule(routeId(id))));
  });
  visor.get("/routegroups", async (c) => {
    const routes = scopeApi(c).routes;
    if (!routes) return notAvailable(c, "route groups");
    const [rules, groups] = await Promise.all([routes.rules(), routes.groups()]);
    return c.json(routeGroupsJson(rules, groups));
  });
}

// The lines an app's log keeps at most.
const APP_LOG_LINES = 1_000;

/** The ISO time a log line starts with, or `undefined`. */
function lineTime(line: string): string | undefined {
  const time = line.slice(0, line.indexOf(" "));
  return /^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(time) ? time : undefined;
}

function appPaths(visor: Hono<UiEnv>): void {
  visor.get("/apps", async (c) => {
    const apps = scopeApi(c).apps;
    return apps ? c.json(await apps.list()) : notAvailable(c, "apps");
  });
  visor.get("/apps/:app", async (c) => {
    const apps = scopeApi(c).apps;
    if (!apps) return notAvailable(c, "apps");
    const found = (await apps.list()).find((a) => a.name === c.req.param("app"));
    return found ? c.json(found) : c.json({ error: "app not found" }, 404);
  });
  // Go: `?since=<RFC 3339>` (a `+` sent as a space is put back; absent or unparsable: every
  // line); the lines after it and the time of the last, or 500 "no new available logs".
  visor.get("/apps/:app/logs", async (c) => {
    const apps = scopeApi(c).apps;
    if (!apps?.log) return notAvailable(c, "app logs");
    const since = Date.parse((c.req.query("since") ?? "").replace(" ", "+"));
    let lines;
    try {
      lines = await apps.log(c.req.param("app"), APP_LOG_LINES);
    } catch (error) {
      return apiError(c, error);
    }
    const dated = lines.map((l) => ({ line: l.line, time: lineTime(l.line) }));
    const fresh = Number.isNaN(since)
      ? dated
      : dated.filter((l) => l.time !== undefined && Date.parse(l.time) > since);
    if (fresh.length === 0) return c.json({ error: "no new available logs" }, 500);
    return c.json({ last_log_timestamp: fresh.at(-1)!.time ?? "", logs: fresh.map((l) => l.line) });
  });
  visor.put("/apps/:app", async (c) => {
    const apps = scopeApi(c).apps;
    if (!apps) return notAvailable(c, "apps");
    // Go's body: {"status": 1} starts, {"status": 0} stops.
    const body = await jsonBody(c) as { status?: unknown } | undefined;
    if (body?.status !== 0 && body?.status !== 1) return c.json({ error: MALFORMED }, 400);
    const name = c.req.param("app");
    try {
      await (body.status === 1 ? apps.start(name) : apps.stop(name));
      return c.json((await apps.list()).find((a) => a.name === name) ?? null);
    } catch (error) {
      return c.json({ error: (error as Error).message }, 500);
    }
  });
}
