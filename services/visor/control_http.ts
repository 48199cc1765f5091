/**
 * The visor's control endpoint on `cli_addr`: a small JSON-over-HTTP layer over
 * {@linkcode VisorControlApi}, for `skywire cli visor ...`. Loopback only, no credentials, so
 * requests that a web page could make are refused: a `Host` that is not loopback (DNS
 * rebinding) or any `Origin` header (browsers send one on cross-site requests; the CLI does
 * not).
 *
 * Routes (answers are JSON; errors are `{"error":"…"}` with the status of the
 * {@linkcode VisorApiError}):
 *
 * | route | answer |
 * |---|---|
 * | `GET /api/visor` | {@linkcode VisorSummary} |
 * | `GET /api/transport-types` | `["dmsg","stcpr",…]` |
 * | `GET /api/transports[?types=a,b&pks=pk,…]` | `TransportSummary[]` |
 * | `GET /api/transports/{id}` | `TransportSummary` |
 * | `POST /api/transports` `{"remote_pk","type","label"?,"timeout_ms"?}` | 201 `TransportSummary` |
 * | `DELETE /api/transports/{id}` | `{"removed":1}` |
 * | `DELETE /api/transports` | `{"removed":N}` |
 * | `POST /api/transports/{id}/ping` | `{"latency_ms":…}` |
 * | `GET /api/discovery/transports?id=…` or `?pk=…` | `DiscoveredTransport[]` |
 * | `GET /api/routes` | `RuleSummary[]` (Go's JSON) |
 * | `GET /api/routes/{id}` | `RuleSummary` |
 * | `POST /api/routes` `RuleSummary` | 201 `{"routing_route_key":…}` |
 * | `DELETE /api/routes/{id}` | `{"removed":1}` |
 * | `GET /api/routegroups` | `RouteGroupSummary[]` |
 * | `POST /api/ping` `{"pk","tries"?,"size_kb"?,"min_hops"?}` | `PingReport` |
 * | `GET /api/apps` | `AppStateSummary[]` |
 * | `GET /api/apps/{name}` | `AppStateSummary` |
 * | `POST /api/apps/{name}/start` `{"args"?: [...]}` (body optional) | `AppStateSummary` once it runs |
 * | `POST /api/apps/{name}/stop` | `AppStateSummary` |
 * | `GET /api/apps/{name}/log[?n=100]` | `AppLogLine[]` |
 *
 * @module
 */
import { type Context, Hono } from "hono";
import { bodyLimit, type BodyVariables, serveHttp } from "../../mod/http/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";
import {
  type AddTransportRequest,
  type PingRequest,
  type RuleSummary,
  VisorApiError,
  type VisorControlApi,
  type VisorSummary,
} from "./api_types.ts";
import { type ControlAddress, isLoopbackHost } from "./control_addr.ts";

/** Largest request body: an add request is well under 1 KiB. */
const MAX_BODY_BYTES = 16 * 1024;
const decoder = new TextDecoder();

type Env = { Variables: BodyVariables };

function error(status: number, message: string): Response {
  return Response.json({ error: message }, { status });
}

function csv(value: string | undefined): string[] | undefined {
  const list = value?.split(",").map((s) => s.trim()).filter(Boolean);
  return list?.length ? list : undefined;
}

function addRequest(body: Uint8Array): AddTransportRequest {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(body));
  } catch {
    throw new VisorApiError(400, "the body is not JSON");
  }
  const o = value as Record<string, unknown>;
  if (typeof o !== "object" || o === null || Array.isArray(o)) {
    throw new VisorApiError(400, "the body is not a JSON object");
  }
  if (typeof o.remote_pk !== "string") throw new VisorApiError(400, "remote_pk: want a string");
  if (typeof o.type !== "string") throw new VisorApiError(400, "type: want a string");
  if (o.label !== undefined && typeof o.label !== "string") {
    throw new VisorApiError(400, "label: want a string");
  }
  if (
    o.timeout_ms !== undefined &&
    (typeof o.timeout_ms !== "number" || !Number.isFinite(o.timeout_ms) || o.timeout_ms < 0)
  ) {
    throw new VisorApiError(400, "timeout_ms: want a number of milliseconds");
  }
  return {
    remote_pk: o.remote_pk,
    type: o.type,
    label: o.label as string | undefined,
    timeout_ms: o.timeout_ms as number | undefined,
  };
}

function jsonObject(body: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(body));
  } catch {
    throw new VisorApiError(400, "the body is not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new VisorApiError(400, "the body is not a JSON object");
  }
  return value as Record<string, unknown>;
}

function pingRequest(body: Uint8Array): PingRequest {
  const o = jsonObject(body);
  if (typeof o.pk !== "string") throw new VisorApiError(400, "pk: want a string");
  for (const field of ["tries", "size_kb", "min_hops"]) {
    if (o[field] !== undefined && typeof o[field] !== "number") {
      throw new VisorApiError(400, `${field}: want a number`);
    }
  }
  return {
    pk: o.pk,
    tries: o.tries as number | undefined,
    size_kb: o.size_kb as number | undefined,
    min_hops: o.min_hops as number | undefined,
  };
}

// The optional body of an app start: `{"args": ["-srv", "…"]}` (at most 64 short strings).
function startArgs(body: Uint8Array): string[] | undefined {
  if (body.length === 0) return undefined;
  const args = jsonObject(body).args;
  if (args === undefined) return undefined;
  if (
    !Array.isArray(args) || args.length > 64 ||
    !args.every((a) => typeof a === "string" && a.length <= 1024)
  ) {
    throw new VisorApiError(400, "args: want a list of at most 64 strings");
  }
  return args;
}

function routeIdParam(text: string): number {
  if (!/^\d{1,10}$/.test(text)) throw new VisorApiError(400, `invalid route id "${text}"`);
  return Number(text);
}

/** The Hono app of the control endpoint over `api`. */
export function createControlApp(api: VisorControlApi, logger?: Logger): Hono<Env> {
  const app = new Hono<Env>();
  const tps = api.transports;
  app.onError((err, c) => {
    if (err instanceof VisorApiError) return error(err.status, err.message);
    logger?.error("control request failed", { method: c.req.method, path: c.req.path, error: err });
    return error(500, err instanceof Error ? err.message : String(err));
  });
  app.notFound((c) => error(404, `no such route: ${c.req.method} ${c.req.path}`));
  app.use("*", async (c, next) => {
    if (c.req.header("origin") !== undefined) {
      return error(403, "requests from web pages are refused");
    }
    if (!isLoopbackHost(c.req.header("host"))) {
      return error(403, "the Host header must name this machine (localhost)");
    }
    await next();
  });

  app.get("/api/visor", async (c) => c.json<VisorSummary>(await api.summary()));
  app.get("/api/transport-types", async (c) => c.json(await tps.types()));
  app.get(
    "/api/transports",
    async (c) =>
      c.json(await tps.list({ types: csv(c.req.query("types")), pks: csv(c.req.query("pks")) })),
  );
  app.get("/api/transports/:id", async (c) => c.json(await tps.get(c.req.param("id"))));
  app.post(
    "/api/transports",
    bodyLimit({ maxBytes: MAX_BODY_BYTES }),
    async (c) => c.json(await tps.add(addRequest(c.get("body"))), 201),
  );
  app.delete("/api/transports", async (c) => c.json({ removed: await tps.removeAll() }));
  app.delete("/api/transports/:id", async (c) => {
    await tps.remove(c.req.param("id"));
    return c.json({ removed: 1 });
  });
  app.post("/api/transports/:id/ping", async (c) => {
    const timeout = Number(c.req.query("timeout_ms") ?? "10000");
    if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 120_000) {
      throw new VisorApiError(400, "timeout_ms: want 1..120000");
    }
    return c.json({ latency_ms: await tps.ping(c.req.param("id"), timeout) });
  });
  const routes = api.routes;
  app.get("/api/routes", async (c) => c.json(await routes.rules()));
  app.get(
    "/api/routes/:id",
    async (c) => c.json(await routes.rule(routeIdParam(c.req.param("id")))),
  );
  app.post("/api/routes", bodyLimit({ maxBytes: MAX_BODY_BYTES }), async (c) => {
    const key = await routes.addRule(jsonObject(c.get("body")) as unknown as RuleSummary);
    return c.json({ routing_route_key: key }, 201);
  });
  app.delete("/api/routes/:id", async (c) => {
    await routes.removeRule(routeIdParam(c.req.param("id")));
    return c.json({ removed: 1 });
  });
  app.get("/api/routegroups", async (c) => c.json(await routes.groups()));
  app.post(
    "/api/ping",
    bodyLimit({ maxBytes: MAX_BODY_BYTES }),
    async (c) => c.json(await routes.ping(pingRequest(c.get("body")))),
  );
  const apps = api.apps;
  app.get("/api/apps", async (c) => c.json(await apps.list()));
  app.get("/api/apps/:name", async (c) => c.json(await apps.get(c.req.param("name"))));
  app.post(
    "/api/apps/:name/start",
    bodyLimit({ maxBytes: MAX_BODY_BYTES }),
    async (c) => c.json(await apps.start(c.req.param("name"), startArgs(c.get("body")))),
  );
  app.post("/api/apps/:name/stop", async (c) => c.json(await apps.stop(c.req.param("name"))));
  app.get("/api/apps/:name/log", async (c) => {
    const n = c.req.query("n");
    if (n !== undefined && !/^\d{1,5}$/.test(n)) throw new VisorApiError(400, "n: want a count");
    return c.json(await apps.log(c.req.param("name"), n === undefined ? undefined : Number(n)));
  });
  app.get("/api/discovery/transports", async (c: Context<Env>) => {
    const id = c.req.query("id"), pk = c.req.query("pk");
    if ((id === undefined) === (pk === undefined)) {
      throw new VisorApiError(400, "give either id or pk");
    }
    return c.json(await tps.discover(id !== undefined ? { id } : { pk: pk! }));
  });
  return app;
}

/** A running control endpoint. */
export interface ControlServer {
  /** Its base URL, e.g. `http://127.0.0.1:3435`. */
  readonly url: string;
  /** `host:port` it listens on (what `--rpc` takes). */
  readonly address: string;
  /** Stop listening. Idempotent. */
  close(): Promise<void>;
}

/** Options for {@linkcode serveControl}. */
export interface ServeControlOptions {
  /** The API to serve. */
  api: VisorControlApi;
  /** Where to listen (from `controlListenAddress`). */
  listen: ControlAddress;
  /** When the port is taken, take a free one instead (`skywire up`); else it is an error. */
  portFallback?: boolean;
  /** Where requests that fail log. */
  logger?: Logger;
}

/** Serve the control endpoint; resolves once listening. Throws when the address is taken. */
export async function serveControl(options: ServeControlOptions): Promise<ControlServer> {
  const app = createControlApp(options.api, options.logger);
  const { hostname, port } = options.listen;
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  const start = (p: number) => serveHttp({ addr: `${host}:${p}`, fetch: app.fetch, graceMs: 500 });
  let http;
  try {
    http = await start(port);
  } catch (err) {
    const taken = err instanceof Deno.errors.AddrInUse;
    // serveHttp's error already names the address.
    if (!taken || !options.portFallback || port === 0) throw err;
    options.logger?.warn(`port ${port} is taken; the control endpoint uses a free port instead`);
    http = await start(0);
  }
  const address = `${host}:${http.port}`;
  return { url: http.url, address, close: () => http.close() };
}
