/**
 * The dmsg discovery service: Go's `dmsg-discovery` HTTP API on Hono, entries in Deno KV.
 * {@linkcode startDiscovery} runs it; `skywire dmsg discovery` and `skywire up` use that.
 *
 * @module
 */
import { createLogger, type Logger } from "../../mod/log/mod.ts";
import {
  openServiceStore,
  type ProbeResult,
  startStoreMonitor,
  type Store,
} from "../../mod/store/mod.ts";
import {
  type HttpLimits,
  type HttpService,
  type RateLimitOptions,
  serveHttp,
} from "../../mod/http/mod.ts";
import { parseListenAddress } from "../../mod/netutil/mod.ts";
import { createDiscoveryHandlers } from "./app.ts";
import { DEFAULT_RATE_LIMIT } from "./rate_limits.ts";
import { DiscoveryStore } from "./store.ts";
import { DEFAULT_ENTRY_CACHE_BYTES, EntryCache } from "./entry_cache.ts";
import { ClientIndex, DEFAULT_CLIENT_INDEX_KEYS } from "./client_index.ts";

export { createDiscoveryApp, createDiscoveryHandlers } from "./app.ts";
export type { DiscoveryAppOptions, DiscoveryHandlers } from "./app.ts";
export { lookupShortcut } from "./lookup_shortcut.ts";
export type { LookupShortcut, LookupShortcutOptions } from "./lookup_shortcut.ts";
export {
  EntryService,
  MAX_DELEGATED_SERVERS,
  MAX_ENTRY_BYTES,
  parsePubKeyText,
} from "./service.ts";
export type { DeleteResult, EntryServiceOptions, Refusal, RegisterResult } from "./service.ts";
export { admitEntry, SERVER_TYPE_COMMUNITY, SERVER_TYPE_OFFICIAL } from "./admit.ts";
export type { Admission, AdmitOptions } from "./admit.ts";
export { DiscoveryStore } from "./store.ts";
export { DEFAULT_ENTRY_CACHE_BYTES, EntryCache } from "./entry_cache.ts";
export { ClientIndex, DEFAULT_CLIENT_INDEX_KEYS } from "./client_index.ts";
export type { CacheLookup } from "./entry_cache.ts";
export type { ServerRecord, StoredRecord } from "./store.ts";
export {
  LISTING_TTL_MS,
  Listings,
  MAX_AVAILABLE_SERVERS,
  MAX_LISTED_CLIENTS,
  MAX_LISTED_DELEGATIONS,
  MAX_SCANNED_SERVERS,
} from "./listings.ts";
export type { ListingsOptions } from "./listings.ts";
export { discoveryMiddleware } from "./middleware.ts";
export {
  applyRateLimitSettings,
  DEFAULT_RATE_LIMIT,
  DEFAULT_RATE_LIMITS,
  parseRateText,
  RateLimitConfigError,
  rateLimitSettingsFromConfig,
} from "./rate_limits.ts";
export type { DiscoveryRateLimits, RateLimitSettings } from "./rate_limits.ts";
export type { DiscoveryMiddlewareOptions } from "./middleware.ts";
export { isLoopbackAddr } from "./address.ts";
export {
  checkAfterTombstone,
  checkDeletes,
  checkFresh,
  CLIENT_FRESH_FUTURE_MS,
  CLIENT_FRESH_PAST_MS,
  SERVER_FRESH_FUTURE_MS,
  SERVER_FRESH_PAST_MS,
  TOMBSTONE_TTL_MS,
} from "./replay.ts";
export type { Tombstone } from "./replay.ts";
export { parseIP, splitHostPort } from "../../mod/netutil/mod.ts";

/** Go's default client entry TTL (`--entry-timeout`): 12 of the clients' 5-minute refreshes. */
export const DEFAULT_CLIENT_ENTRY_TTL_MS = 60 * 60_000;
/** Default request body limit: entries are well under 1 KiB. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
/**
 * How often the store is probed while serving (the visor's default `health_check_interval`):
 * damage found is recovered in place before Deno KV's background task can trip over it.
 */
export const DEFAULT_STORE_CHECK_INTERVAL_MS = 5 * 60_000;
// How long close() waits for requests in flight before closing the store anyway.
const SHUTDOWN_GRACE_MS = 1_500;

/** Options for {@linkcode startDiscovery}. */
export interface StartDiscoveryOptions {
  /** `host:port` to listen on, Go style (`:9090` is every interface). Default `127.0.0.1:0`. */
  addr?: string;
  /** Path of the Deno KV file for entries (unless `store` is given). */
  storePath?: string;
  /**
   * An open store to keep entries in instead of opening `storePath` (`skywire up` hands each of
   * its services a namespace of one shared file); it stays open when the discovery closes.
   */
  store?: Store;
  /** Go's `-t`: allow loopback server addresses. */
  testMode?: boolean;
  /** Where the service logs. */
  logger?: Logger;
  /** Millisecond clock (tests inject one). */
  now?: () => number;
  /** Per-remote-IP limit; `false` disables it. Default 2,000/s, burst 4,000. */
  rateLimit?: RateLimitOptions | false;
  /** Limit for all requests together, checked after the per-IP one; default none. */
  globalRateLimit?: RateLimitOptions | false;
  /** Request body limit in bytes (default 64 KiB). */
  maxBodyBytes?: number;
  /** Client entry TTL in ms (default 60 min; 0 = never expire). */
  clientEntryTtlMs?: number;
  /**
   * Require sequence 0 for a first registration and exactly old + 1 for an update (default
   * `true`). `false` applies Go's own rule: any higher sequence, any first sequence.
   */
  strictSequence?: boolean;
  /** Go's `--auth`: servers claiming this `serverType` are classed official. */
  authPassphrase?: string;
  /** Keys (hex) of servers classed official. */
  officialServers?: string[];
  /** How often the store's health probe runs while serving (default 5 min; 0 = never). */
  storeCheckIntervalMs?: number;
  /** HTTP timeouts and connection caps to change from `mod/http`'s defaults. */
  httpLimits?: Partial<HttpLimits>;
  /** Bytes of entry JSON kept in memory for lookups (default 16 MiB; 0 = none). */
  entryCacheBytes?: number;
  /** Client keys kept in memory for `/entries` (default 65,536; 0 = list from the store). */
  clientIndexKeys?: number;
}

/** A running discovery. */
export interface DiscoveryService {
  /** Base URL clients use, e.g. `http://127.0.0.1:9090`. */
  readonly url: string;
  /** The address it listens on. */
  readonly hostname: string;
  /** The port it listens on. */
  readonly port: number;
  /** HTTP connections open now. */
  readonly connections: number;
  /** Run the store's health probe now (recovering a damaged store in place), as the timer does. */
  checkStore(): Promise<ProbeResult>;
  /** Stop listening, let requests in flight finish (briefly), close the store. Idempotent. */
  close(): Promise<void>;
}

/** Open the store, start serving, and resolve once the port is bound. */
export async function startDiscovery(options: StartDiscoveryOptions): Promise<DiscoveryService> {
  const logger = options.logger ?? createLogger({ component: "dmsg_discovery" });
  const now = options.now ?? Date.now;
  const addr = options.addr ?? "127.0.0.1:0";
  // A malformed address is refused before the store is touched.
  parseListenAddress(addr);
  const kvStore = await openServiceStore(options, logger.child("store"));
  const monitor = startStoreMonitor({
    store: kvStore,
    intervalMs: options.storeCheckIntervalMs ?? DEFAULT_STORE_CHECK_INTERVAL_MS,
    logger: logger.child("store"),
  });
  const cache = new EntryCache(options.entryCacheBytes ?? DEFAULT_ENTRY_CACHE_BYTES);
  const clients = new ClientIndex(options.clientIndexKeys ?? DEFAULT_CLIENT_INDEX_KEYS);
  const store = new DiscoveryStore(() => kvStore.kv, now, logger, cache, clients);
  try {
    await store.upgrade();
    await store.warmCache();
  } catch (error) {
    monitor.stop();
    kvStore.close();
    throw error;
  }
  const { app, shortcut } = createDiscoveryHandlers({
    store,
    testMode: options.testMode ?? false,
    now,
    logger,
    rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMIT,
    globalRateLimit: options.globalRateLimit ?? false,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    clientEntryTtlMs: options.clientEntryTtlMs ?? DEFAULT_CLIENT_ENTRY_TTL_MS,
    strictSequence: options.strictSequence ?? true,
    authPassphrase: options.authPassphrase ?? "",
    officialServers: new Set(options.officialServers ?? []),
    startedAt: new Date(now()),
  });

  let http: HttpService;
  try {
    http = await serveHttp({
      addr,
      fetch: app.fetch,
      shortcut,
      graceMs: SHUTDOWN_GRACE_MS,
      limits: options.httpLimits,
      logger: logger.child("http"),
    });
  } catch (error) {
    monitor.stop();
    kvStore.close();
    throw error;
  }
  logger.info("dmsg discovery listening", {
    addr: `${http.hostname}:${http.port}`,
    url: http.url,
    test_mode: options.testMode ?? false,
    store: kvStore.path,
  });

  let closing: Promise<void> | undefined;
  return {
    url: http.url,
    hostname: http.hostname,
    port: http.port,
    get connections() {
      return http.connections;
    },
    checkStore: () => monitor.checkNow(),
    close() {
      closing ??= (async () => {
        await http.close();
        monitor.stop();
        kvStore.close();
        logger.info("dmsg discovery stopped");
      })();
      return closing;
    },
  };
}
