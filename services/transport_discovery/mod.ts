/**
 * The transport discovery: Go's `transport-discovery` HTTP API on Hono, entries and nonces in
 * Deno KV. Visors register settled transports (`POST /transports/`, httpauth), look them up by
 * id or edge, delete them, and send heartbeats; entries not registered again within the entry
 * timeout expire. {@linkcode startTransportDiscovery} runs it; `skywire svc tpd` and
 * `skywire up` use that.
 *
 * Stricter than Go: a new entry needs both edges' valid signatures, its deterministic id, and
 * a registering visor that is one of its edges (see `admit.ts`). Not served: Go's bandwidth,
 * metrics and v3 routes, and the network monitor's `DELETE /transports/deregister`.
 *
 * @module
 */
import { KvNonceStore } from "../../mod/httpauth/mod.ts";
import { serveService } from "../../mod/http/mod.ts";
import { createLogger } from "../../mod/log/mod.ts";
import { openServiceStore, type Store } from "../../mod/store/mod.ts";
import { createTransportDiscoveryApp } from "./app.ts";
import {
  DEFAULT_IP_RATE_LIMIT,
  DEFAULT_KEY_RATE_LIMIT,
  type TpdMiddlewareOptions,
} from "./middleware.ts";
import { type StoredTransport, TransportStore } from "./store.ts";

export { createTransportDiscoveryApp } from "./app.ts";
export type { TransportDiscoveryAppOptions } from "./app.ts";
export { admitTransport, MAX_LABEL_BYTES, MAX_TYPE_BYTES } from "./admit.ts";
export type { Admission } from "./admit.ts";
export { MAX_BATCH_ITEMS, MAX_REGISTER_ENTRIES, TPD_ERRORS, TransportService } from "./service.ts";
export type { JsonResult, Refusal, TransportServiceOptions } from "./service.ts";
export { TransportStore } from "./store.ts";
export type { StoredTransport, TransportRecord, VisorRecord } from "./store.ts";
export { DEFAULT_IP_RATE_LIMIT, DEFAULT_KEY_RATE_LIMIT } from "./middleware.ts";
export { ONLINE_WINDOW_MS } from "./routes/listings.ts";

/**
 * Go's `--entry-timeout` default: 5 minutes, about three of the visors' 90-second
 * re-registrations, so one or two lost refreshes do not drop a live transport.
 */
export const DEFAULT_ENTRY_TTL_MS = 5 * 60_000;
/** How long a visor's last heartbeat is kept for `/uptimes`. */
export const DEFAULT_VISOR_KEEP_MS = 24 * 60 * 60_000;
/** Default request body limit: a hub visor re-registers hundreds of ~450-byte entries at once. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Options for {@linkcode startTransportDiscovery}; the log, clock (tests inject one) and limits
 * (`false`: none) of {@linkcode TpdMiddlewareOptions} are optional here, with defaults.
 */
export interface StartTransportDiscoveryOptions extends Partial<TpdMiddlewareOptions> {
  /** `host:port` to listen on, Go style (`:9091` is every interface). Default `127.0.0.1:0`. */
  addr?: string;
  /** Path of the Deno KV file for entries and nonces (unless `store` is given). */
  storePath?: string;
  /** An open store to use instead of opening `storePath`; it stays open when the service closes. */
  store?: Store;
  /** Go's `-t`: as Go's in-memory test store, entries do not expire unless a timeout is given. */
  testMode?: boolean;
  /** Entry lifetime without a re-registration, ms; 0 = never. Default 5 min, 0 in test mode. */
  entryTtlMs?: number;
  /** Request body limit in bytes. */
  maxBodyBytes?: number;
}

/** A running transport discovery. */
export interface TransportDiscoveryService {
  /** Base URL visors use, e.g. `http://127.0.0.1:9091`. */
  readonly url: string;
  /** The address it listens on. */
  readonly hostname: string;
  /** The port it listens on. */
  readonly port: number;
  /**
   * The live transports with edge `pkHex`, read from the store directly (what `skywire up`
   * hands its route finder, in the same process).
   */
  transportsByEdge(pkHex: string): Promise<StoredTransport[]>;
  /** Stop listening, let requests in flight finish (briefly), close the store. Idempotent. */
  close(): Promise<void>;
}

/** Open the store, start serving, and resolve once the port is bound. */
export async function startTransportDiscovery(
  options: StartTransportDiscoveryOptions,
): Promise<TransportDiscoveryService> {
  const logger = options.logger ?? createLogger({ component: "transport_discovery" });
  const now = options.now ?? Date.now;
  const testMode = options.testMode ?? false;
  const kvStore = await openServiceStore(options, logger.child("store"));
  const kv = () => kvStore.kv;
  const entryTtlMs = options.entryTtlMs ?? (testMode ? 0 : DEFAULT_ENTRY_TTL_MS);
  const store = new TransportStore(kv, now, logger);
  const app = createTransportDiscoveryApp({
    store,
    nonces: new KvNonceStore(kv, ["transport_discovery", "nonce"]),
    entryTtlMs,
    visorKeepMs: DEFAULT_VISOR_KEEP_MS,
    now,
    logger,
    ipRateLimit: options.ipRateLimit ?? DEFAULT_IP_RATE_LIMIT,
    keyRateLimit: options.keyRateLimit ?? DEFAULT_KEY_RATE_LIMIT,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    startedAt: new Date(now()),
  });
  const served = await serveService({
    name: "transport discovery",
    logger,
    addr: options.addr,
    fetch: app.fetch,
    fields: { test_mode: testMode, entry_timeout_ms: entryTtlMs, store: kvStore.path },
    release: () => kvStore.close(),
  });
  return {
    url: served.url,
    hostname: served.hostname,
    port: served.port,
    transportsByEdge: (pkHex) => store.byEdge(pkHex),
    close: () => served.close(),
  };
}
