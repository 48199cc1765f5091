/**
 * The visor's typed API: what the web UI (and later the CLI's RPC) asks a running node. Types
 * only; {@linkcode createVisorApi} in `visor_api.ts` implements it over a running visor.
 *
 * Features a visor may be built without (transports, routes, apps) are optional members:
 * `undefined` means "not available in this build", and callers show that rather than sample
 * data. The field names of the JSON-facing shapes follow Go Skywire's API (snake_case).
 *
 * @module
 */
import type { LogRing } from "../../mod/log/mod.ts";
import type { ProbeResult, RecoveryRecord } from "../../mod/store/mod.ts";
import type { UpdaterStatusRecord, UpdateStatus } from "../updater/mod.ts";
import type { AppLogLine, RoutesApi, TransportsApi } from "./api_types.ts";

/** What the node is. */
export interface NodeInfo {
  /** Public key (hex). */
  pk: string;
  /** Build version. */
  version: string;
  /** Deno version it runs on. */
  deno: string;
  /** Target triple (e.g. `x86_64-unknown-linux-gnu`). */
  target: string;
  /** When this run started (ISO 8601). */
  started_at: string;
  /** Starts recorded in the node's store, this one included. */
  starts: number;
  /** The node's state directory (`local_path`). */
  local_path: string;
  /** `routing.min_hops` of its config. */
  min_hops: number;
  /** `is_public` of its config. */
  is_public: boolean;
  /** Hypervisor keys its config lists. */
  hypervisors: string[];
}

/** One session with a dmsg server. */
export interface DmsgSessionStatus {
  /** The server's public key. */
  server_pk: string;
  /** Its TCP address. */
  address: string;
  /** Last measured round trip in ms; `null` until the first ping. */
  latency_ms: number | null;
}

/** The node's dmsg client. */
export interface DmsgStatus {
  /** The discovery it uses. */
  discovery: string;
  /** Sessions it keeps (`dmsg.sessions_count`). */
  sessions_wanted: number;
  /** Servers from the config, tried first (public keys). */
  configured_servers: string[];
  /** Sessions open now. */
  sessions: DmsgSessionStatus[];
}

/** The outcome of one store health probe. */
export interface StoreCheck {
  /** When (ISO 8601). */
  time: string;
  /** What the probe found. */
  status: ProbeResult["status"];
  /** Why it failed, when it did. */
  reason?: string;
}

/** A Deno KV store of the node and its health. */
export interface StoreStatus {
  /** What it holds, e.g. `visor`. */
  name: string;
  /** Its file. */
  path: string;
  /** Most recent probe (the one at open counts), `null` when none ran. */
  last_check: StoreCheck | null;
  /** Recoveries recorded in it, oldest first. */
  recoveries: RecoveryRecord[];
}

/** The node's `updater` settings as the UI shows them. */
export interface UpdaterSettings {
  /** Background checks on. */
  enabled: boolean;
  /** Release channel. */
  channel: string;
  /** Manifest source (empty: none configured). */
  url: string;
  /** Time between background checks (Go duration). */
  interval: string;
  /** Install without asking. */
  auto_install: boolean;
}

/** The outcome of a check or install asked for through the API. */
export interface UpdateOutcome {
  /** How it ended (`failed` when the updater threw). */
  status: UpdateStatus | "failed";
  /** One line for the operator. */
  message: string;
}

/** Update checks, installs and rollback state through the node's updater. */
export interface UpdatesApi {
  /** The settings the node runs with. */
  readonly settings: UpdaterSettings;
  /** Why checks cannot be run from here; `undefined` when they can. */
  readonly checkUnavailable?: string;
  /** Why installs cannot be run from here; `undefined` when they can. */
  readonly installUnavailable?: string;
  /** Last check, pending install, "booted OK" mark, history; `undefined` before any. */
  status(): Promise<UpdaterStatusRecord | undefined>;
  /** Check now (no install unless `auto_install`). */
  check(): Promise<UpdateOutcome>;
  /** Check and install a newer signed release now. */
  install(): Promise<UpdateOutcome>;
}

// Transports: the control API's types (`api_types.ts`), shared with the CLI's endpoint.
export type { AddTransportRequest, TransportsApi, TransportSummary } from "./api_types.ts";

/** One line an app logged (the control API's). */
export type { AppLogLine };

// Routes: the control API's (`api_types.ts`); rules are Go's `RuleSummary` JSON.
export type { RouteGroupSummary, RoutesApi, RuleSummary } from "./api_types.ts";
/** The updater's status record as the UI shows it (the UI reaches the updater only through here). */
export type { UpdaterStatusRecord };

/** An app, in Go's `AppState` field names (the ones the UI shows). */
export interface AppSummary {
  /** App name. */
  name: string;
  /** Start with the node. */
  auto_start: boolean;
  /** Its dmsg/skynet port. */
  port: number;
  /** `running`, `stopped` or `errored`. */
  status: "running" | "stopped" | "errored";
  /** Detail line (e.g. why it errored). */
  detailed_status?: string;
  /** For proxies: the local address to point a browser at. */
  proxy_address?: string;
}

/** The node's app launcher, once it has one. */
export interface AppsApi {
  /** Apps now. */
  list(): Promise<AppSummary[]>;
  /** Start an app. */
  start(name: string): Promise<void>;
  /** Stop an app. */
  stop(name: string): Promise<void>;
  /**
   * The newest `limit` lines an app logged, each starting with its ISO time; 404 for an app
   * not configured. `undefined`: the visor does not offer its apps' logs.
   */
  log?(name: string, limit?: number): Promise<AppLogLine[]>;
}

/** A running visor as the UI sees it. */
export interface VisorApi {
  /** What the node is. */
  info(): NodeInfo;
  /** Its dmsg client now. */
  dmsg(): DmsgStatus;
  /** Its stores and their health. */
  stores(): Promise<StoreStatus[]>;
  /** Probe every store now (recovering a damaged one), then report. */
  checkStores(): Promise<StoreStatus[]>;
  /** Its updater. */
  readonly updates: UpdatesApi;
  /** Its newest log lines, when kept. */
  readonly logs?: LogRing;
  /** Transports (the same API the control endpoint on `cli_addr` serves). */
  readonly transports?: TransportsApi;
  /** Routing rules and route groups (the control endpoint's API); `undefined`: none. */
  readonly routes?: RoutesApi;
  /** Apps; `undefined`: not available in this build. */
  readonly apps?: AppsApi;
}
