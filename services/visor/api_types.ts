/**
 * The shapes of the visor's control API, shared by the visor ({@linkcode VisorControlApi}
 * implemented over a running visor), its HTTP endpoint on `cli_addr`, the CLI's client of
 * that endpoint, and the web UI. JSON-facing fields use Go Skywire's snake_case names.
 *
 * @module
 */
import type { RuleSummary } from "../../mod/routing/mod.ts";

export type { RuleSummary };

/** A transport, in Go's `TransportSummary` field names plus what this visor knows more. */
export interface TransportSummary {
  /** Transport id (UUID). */
  id: string;
  /** This visor's key. */
  local_pk: string;
  /** The other edge's key. */
  remote_pk: string;
  /** `dmsg`, `stcp` or `stcpr`. */
  type: string;
  /** Who made it: `user`, `automatic`, `skycoin`. */
  label: string;
  /** Whether a connection is up now. */
  is_up: boolean;
  /** Whether the peer is a trusted setup node (Go's mode `setup`); always false here. */
  is_setup: boolean;
  /** Whether the visor keeps it up (`persistent_transports`). */
  persistent: boolean;
  /** Payload bytes received and sent (Go's `log`; transport pings included). */
  log: { recv: number; sent: number };
  /** The peer's network address of the current connection (TCP types). */
  remote_addr?: string;
  /** Last transport-ping round trip, ms; `null` before one was answered. */
  latency_ms: number | null;
}

/** What {@linkcode TransportsApi.add} takes. */
export interface AddTransportRequest {
  /** The other edge's key. */
  remote_pk: string;
  /** One of {@linkcode TransportsApi.types}. */
  type: string;
  /** Label (default `user`). */
  label?: string;
  /** Give up after this long, ms (default: the dial's own limits). */
  timeout_ms?: number;
}

/** Which transports {@linkcode TransportsApi.list} returns (Go's `tp ls -t`, `-p`). */
export interface TransportFilter {
  /** Only these types. */
  types?: string[];
  /** Only transports with one of these keys as an edge. */
  pks?: string[];
}

/** A transport discovery entry, as Go's `tp disc` prints it. */
export interface DiscoveredTransport {
  /** Transport id. */
  id: string;
  /** Transport type. */
  type: string;
  /** The lower edge's key. */
  edge1: string;
  /** The higher edge's key. */
  edge2: string;
  /** Label. */
  label: string;
}

/** What {@linkcode TransportsApi.discover} looks up: by id or by edge key. */
export type DiscoverQuery = { id: string; pk?: undefined } | { pk: string; id?: undefined };

/** The visor's transports. */
export interface TransportsApi {
  /** Transport types the visor can make. */
  types(): Promise<string[]>;
  /** Transports now, sorted by id (as Go's CLI). */
  list(filter?: TransportFilter): Promise<TransportSummary[]>;
  /** One transport; throws {@linkcode VisorApiError} 404 when there is none. */
  get(id: string): Promise<TransportSummary>;
  /** Dial (or reuse) a transport and return it. */
  add(request: AddTransportRequest): Promise<TransportSummary>;
  /** Close and deregister one; throws {@linkcode VisorApiError} 404 when there is none. */
  remove(id: string): Promise<void>;
  /** Close and deregister all; resolves how many there were. */
  removeAll(): Promise<number>;
  /** Entries in the transport discovery (Go's `tp disc`). */
  discover(query: DiscoverQuery): Promise<DiscoveredTransport[]>;
  /** Measure a transport-ping round trip, ms (Go 2024 peers do not answer: 504). */
  ping(id: string, timeoutMs?: number): Promise<number>;
}

/** A dmsg session of the visor. */
export interface DmsgSessionSummary {
  /** The server's key. */
  server_pk: string;
  /** Its TCP address. */
  address: string;
  /** Last measured round trip, ms, or `null`. */
  latency_ms: number | null;
}

/** What `skywire cli visor info` shows. */
export interface VisorSummary {
  /** Public key. */
  public_key: string;
  /** This build's version. */
  visor_version: string;
  /** When the visor started (ISO 8601). */
  started_at: string;
  /** Seconds since then. */
  time_online: number;
  /** Its dmsg discovery. */
  dmsg_discovery: string;
  /** Its dmsg sessions. */
  dmsg_sessions: DmsgSessionSummary[];
  /** Its transport discovery, or `""`. */
  transport_discovery: string;
  /** Its address resolver, or `""`. */
  address_resolver: string;
  /** Where stcpr accepts, or `""`. */
  stcpr_address: string;
  /** Whether the stcpr binding at the address resolver is in place. */
  stcpr_bound: boolean;
  /** Transport types it can make. */
  transport_types: string[];
  /** How many transports it has. */
  transports: number;
  /** Persistent transports from its config. */
  persistent_transports: Array<{ pk: string; type: string }>;
  /** Whether it connects to public visors by itself (not run by this build). */
  public_autoconnect: boolean;
}

/** A route group of the visor (Go lists them from its rules: `/routegroups`). */
export interface RouteGroupSummary {
  /** Our end's key. */
  local_pk: string;
  /** Our route port. */
  local_port: number;
  /** The other end's key. */
  remote_pk: string;
  /** Its route port. */
  remote_port: number;
  /** Key route id of our Forward rule. */
  forward_route_id: number;
  /** Key route id of our Consume rule. */
  consume_route_id: number;
  /** Transport our packets leave on. */
  transport_id: string;
  /** Whether this visor dialed it. */
  initiator: boolean;
  /** `open`, `closing` or `closed`. */
  state: string;
  /** Last route-group Ping round trip, ms, or `null`. */
  latency_ms: number | null;
  /** Data bytes sent and received. */
  log: { sent: number; recv: number };
}

/** What {@linkcode RoutesApi.ping} takes (Go `PingConfig`, plus min hops). */
export interface PingRequest {
  /** The visor to ping: the loop route goes out to it and back. */
  pk: string;
  /** Measurements (Go `-t`, default 1). */
  tries?: number;
  /** Message size, KiB (Go `-s`, default 2). */
  size_kb?: number;
  /** Fewest hops each way (default the visor's `routing.min_hops`). */
  min_hops?: number;
}

/** What {@linkcode RoutesApi.ping} measured. */
export interface PingReport {
  /** The visor pinged. */
  pk: string;
  /** One full loop per try, ms. */
  latencies_ms: number[];
  /** Message size, KiB. */
  size_kb: number;
  /** Hops of the loop (out and back). */
  hops: number;
  /** Whether the route carried Noise. */
  encrypted: boolean;
}

/** The visor's routing table, route groups and loop-route ping. */
export interface RoutesApi {
  /** Every rule, in Go's `RuleSummary` JSON. */
  rules(): Promise<RuleSummary[]>;
  /** The rule under a key route id; throws {@linkcode VisorApiError} 404 when there is none. */
  rule(id: number): Promise<RuleSummary>;
  /** Save a rule (Go `SaveRoutingRule`); resolves its key route id. */
  addRule(rule: RuleSummary): Promise<number>;
  /** Remove a rule (a Consume rule closes its group); 404 when there is none. */
  removeRule(id: number): Promise<void>;
  /** The route groups. */
  groups(): Promise<RouteGroupSummary[]>;
  /** Ping a visor over a loop route (Go `DialPing` + `Ping`); 502 when no route is made. */
  ping(request: PingRequest): Promise<PingReport>;
}

/** An app of the visor (Go `AppState` names where Go has them). */
export interface AppStateSummary {
  /** Name, from `launcher.apps`. */
  name: string;
  /** Its port. */
  port: number;
  /** Started with the visor. */
  auto_start: boolean;
  /** Where it is. */
  status: "starting" | "running" | "stopping" | "stopped" | "errored";
  /** Why it errored, or what it reported. */
  detailed_status?: string;
  /** When the current (or last) run started (ISO 8601). */
  started_at?: string;
  /** For proxies: the local address to point a client at. */
  proxy_address?: string;
  /** The app's own status while it runs (skysocks-client: its session). */
  info?: unknown;
}

/** One line an app logged. */
export interface AppLogLine {
  /** Position in the app's log, from 1. */
  seq: number;
  /** Its level. */
  level: string;
  /** The line. */
  line: string;
}

/** The visor's apps (run in-process from `launcher.apps`). */
export interface AppsControlApi {
  /** Every configured app. */
  list(): Promise<AppStateSummary[]>;
  /** One app; 404 when it is not configured. */
  get(name: string): Promise<AppStateSummary>;
  /**
   * Start an app (with `args` instead of the configured ones) and resolve once it runs; 409
   * when it runs already, 404 when unknown, 500 when it died starting (with why).
   */
  start(name: string, args?: string[]): Promise<AppStateSummary>;
  /** Stop an app; 404 when it does not run. */
  stop(name: string): Promise<AppStateSummary>;
  /** The newest `limit` lines of its log (default 100). */
  log(name: string, limit?: number): Promise<AppLogLine[]>;
}

/** The visor API that the control endpoint serves and the CLI uses. */
export interface VisorControlApi {
  /** What the visor is and how it is connected. */
  summary(): Promise<VisorSummary>;
  /** Its transports. */
  readonly transports: TransportsApi;
  /** Its routing. */
  readonly routes: RoutesApi;
  /** Its apps. */
  readonly apps: AppsControlApi;
}

/**
 * A failed API call: `status` is the HTTP status the endpoint answers with (400 bad input,
 * 404 unknown transport, 502 the peer or a service failed, 503 no transport discovery, 504
 * timed out).
 */
export class VisorApiError extends Error {
  /** HTTP status for the control endpoint. */
  readonly status: number;

  /** Create the error. */
  constructor(status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "VisorApiError";
    this.status = status;
  }
}
