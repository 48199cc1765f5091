import { fetchFailureText } from "../../mod/netutil/mod.ts";
import {
  type AddTransportRequest,
  type AppLogLine,
  type AppsControlApi,
  type AppStateSummary,
  type DiscoveredTransport,
  type DiscoverQuery,
  type PingReport,
  type PingRequest,
  type RouteGroupSummary,
  type RoutesApi,
  type RuleSummary,
  type TransportFilter,
  type TransportsApi,
  type TransportSummary,
  VisorApiError,
  type VisorControlApi,
  type VisorSummary,
} from "./api_types.ts";
import { controlUrl } from "./control_addr.ts";

type Call = <T>(method: string, path: string, body?: unknown, extraMs?: number) => Promise<T>;

function routesClient(call: Call): RoutesApi {
  return {
    rules: () => call<RuleSummary[]>("GET", "/api/routes"),
    rule: (id: number) => call<RuleSummary>("GET", `/api/routes/${id}`),
    addRule: async (rule: RuleSummary) =>
      (await call<{ routing_route_key: number }>("POST", "/api/routes", rule)).routing_route_key,
    removeRule: async (id: number) => {
      await call("DELETE", `/api/routes/${id}`);
    },
    groups: () => call<RouteGroupSummary[]>("GET", "/api/routegroups"),
    // A ping may wait for a route set-up (up to 30 s), then for its tries.
    ping: (request: PingRequest) => call<PingReport>("POST", "/api/ping", request, 90_000),
  };
}

function appsClient(call: Call): AppsControlApi {
  const app = (name: string) => `/api/apps/${encodeURIComponent(name)}`;
  return {
    list: () => call<AppStateSummary[]>("GET", "/api/apps"),
    get: (name) => call<AppStateSummary>("GET", app(name)),
    // A start waits for the app to run (the visor gives it up to 30 s).
    start: (name, args) =>
      call<AppStateSummary>("POST", `${app(name)}/start`, args ? { args } : {}, 35_000),
    stop: (name) => call<AppStateSummary>("POST", `${app(name)}/stop`, undefined, 10_000),
    log: (name, limit) =>
      call<AppLogLine[]>("GET", `${app(name)}/log${limit === undefined ? "" : `?n=${limit}`}`),
  };
}

/** Options for {@linkcode ControlClient}. */
export interface ControlClientOptions {
  /** The visor's control address, `host:port` (Go's `--rpc`). */
  addr: string;
  /** Deadline of a request, ms, besides the time an add or ping may take (default 10 s). */
  timeoutMs?: number;
}

/** A visor that cannot be reached at its control address. */
export class VisorUnreachableError extends Error {
  /** Create the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "VisorUnreachableError";
  }
}

/**
 * The {@linkcode VisorControlApi} of a visor reached over its control endpoint (what
 * `skywire cli visor` uses). Failures answered by the visor throw {@linkcode VisorApiError}
 * with its status and message; a visor that does not answer throws
 * {@linkcode VisorUnreachableError} naming the address.
 */
export class ControlClient implements VisorControlApi {
  /** The endpoint's base URL. */
  readonly url: string;
  /** The transports. */
  readonly transports: TransportsApi;
  /** The routing table, route groups and ping. */
  readonly routes: RoutesApi;
  /** The apps. */
  readonly apps: AppsControlApi;
  readonly #timeoutMs: number;

  /** Throws a `RangeError` for an address that is not `host:port`. */
  constructor(options: ControlClientOptions) {
    this.url = controlUrl(options.addr);
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    const call: Call = this.#call.bind(this);
    this.routes = routesClient(call);
    this.apps = appsClient(call);
    const query = (params: Record<string, string | undefined>) => {
      const search = new URLSearchParams();
      for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
      const text = search.toString();
      return text ? `?${text}` : "";
    };
    const id = (value: string) => encodeURIComponent(value);
    this.transports = {
      types: () => call<string[]>("GET", "/api/transport-types"),
      list: (filter: TransportFilter = {}) =>
        call<TransportSummary[]>(
          "GET",
          `/api/transports${query({ types: filter.types?.join(","), pks: filter.pks?.join(",") })}`,
        ),
      get: (tpId: string) => call<TransportSummary>("GET", `/api/transports/${id(tpId)}`),
      add: (request: AddTransportRequest) =>
        call<TransportSummary>("POST", "/api/transports", request, request.timeout_ms ?? 60_000),
      remove: async (tpId: string) => {
        await call("DELETE", `/api/transports/${id(tpId)}`);
      },
      removeAll: async () => (await call<{ removed: number }>("DELETE", "/api/transports")).removed,
      discover: (q: DiscoverQuery) =>
        call<DiscoveredTransport[]>("GET", `/api/discovery/transports${query({ ...q })}`),
      ping: async (tpId: string, timeoutMs = 10_000) =>
        (await call<{ latency_ms: number }>(
          "POST",
          `/api/transports/${id(tpId)}/ping${query({ timeout_ms: String(timeoutMs) })}`,
          undefined,
          timeoutMs,
        )).latency_ms,
    };
  }

  /** What the visor is and how it is connected. */
  summary(): Promise<VisorSummary> {
    return this.#call<VisorSummary>("GET", "/api/visor");
  }

  async #call<T>(method: string, path: string, body?: unknown, extraMs = 0): Promise<T> {
    const url = this.url + path;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: body === undefined ? undefined : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs + extraMs),
      });
    } catch (error) {
      throw new VisorUnreachableError(
        `cannot reach the visor: ${fetchFailureText(error, this.url)}; is it running?`,
        { cause: error },
      );
    }
    const text = await response.text();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new VisorApiError(502, `the visor at ${this.url} answered ${response.status}: ${text}`);
    }
    if (!response.ok) {
      const message = (value as { error?: unknown })?.error;
      throw new VisorApiError(response.status, typeof message === "string" ? message : text);
    }
    return value as T;
  }
}
