/**
 * The address resolver: Go's `address-resolver` HTTP API on Hono, bindings and nonces in Deno
 * KV. Visors bind where they listen for stcpr (`POST /bind/stcpr`, httpauth) and resolve each
 * other (`GET /resolve/stcpr/{pk}`). {@linkcode startAddressResolver} runs it; the
 * `skywire address-resolver` command and `skywire up` use that.
 *
 * Not served: sudph (Go binds it over a UDP/KCP handshake, not HTTP) and the network monitor's
 * `DELETE /deregister/{network}`.
 *
 * @module
 */
import { KvNonceStore } from "../../mod/httpauth/mod.ts";
import { serveService } from "../../mod/http/mod.ts";
import { createLogger } from "../../mod/log/mod.ts";
import { openServiceStore, type Store } from "../../mod/store/mod.ts";
import { createAddressResolverApp } from "./app.ts";
import {
  DEFAULT_IP_RATE_LIMIT,
  DEFAULT_KEY_RATE_LIMIT,
  type ResolverMiddlewareOptions,
} from "./middleware.ts";
import { BindingStore } from "./store.ts";

export { createAddressResolverApp } from "./app.ts";
export type { AddressResolverAppOptions } from "./app.ts";
export { AddressService, STCPR, visorDataJson } from "./service.ts";
export type { AddressServiceOptions, BindResult, VisorData } from "./service.ts";
export { BindingStore } from "./store.ts";
export type { Binding } from "./store.ts";
export { BindRequestError, decodeBindRequest, MAX_BIND_ADDRESSES } from "./bind_request.ts";
export type { LocalAddresses } from "./bind_request.ts";
export { DEFAULT_IP_RATE_LIMIT, DEFAULT_KEY_RATE_LIMIT } from "./middleware.ts";

/**
 * How long a binding lives without a new bind: Go's services keep entries 5 minutes, about three
 * of the visors' 90-second refreshes.
 */
export const DEFAULT_BIND_TTL_MS = 5 * 60_000;
/** Default request body limit: a bind body is well under 1 KiB. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;

/**
 * Options for {@linkcode startAddressResolver}; the log, clock (tests inject one) and limits
 * (`false`: none) of {@linkcode ResolverMiddlewareOptions} are optional here, with defaults.
 */
export interface StartAddressResolverOptions extends Partial<ResolverMiddlewareOptions> {
  /** `host:port` to listen on, Go style (`:9093` is every interface). Default `127.0.0.1:0`. */
  addr?: string;
  /** Path of the Deno KV file for bindings and nonces (unless `store` is given). */
  storePath?: string;
  /** An open store to use instead of opening `storePath`; it stays open when the service closes. */
  store?: Store;
  /** Go's `-t`: bindings from any IP, and (as Go's in-memory test store) no expiry by default. */
  testMode?: boolean;
  /** Binding lifetime, ms; 0 = until unbound. Default 5 min, or 0 in test mode. */
  bindTtlMs?: number;
  /** Take the requester IP from proxy headers (behind a reverse proxy only). */
  trustProxyHeaders?: boolean;
  /** Request body limit in bytes. */
  maxBodyBytes?: number;
}

/** A running address resolver. */
export interface AddressResolverService {
  /** Base URL visors use, e.g. `http://127.0.0.1:9093`. */
  readonly url: string;
  /** The address it listens on. */
  readonly hostname: string;
  /** The port it listens on. */
  readonly port: number;
  /** Stop listening, let requests in flight finish (briefly), close the store. Idempotent. */
  close(): Promise<void>;
}

/** Open the store, start serving, and resolve once the port is bound. */
export async function startAddressResolver(
  options: StartAddressResolverOptions,
): Promise<AddressResolverService> {
  const logger = options.logger ?? createLogger({ component: "address_resolver" });
  const now = options.now ?? Date.now;
  const testMode = options.testMode ?? false;
  const kvStore = await openServiceStore(options, logger.child("store"));
  const kv = () => kvStore.kv;
  const app = createAddressResolverApp({
    store: new BindingStore(kv, now, logger),
    nonces: new KvNonceStore(kv, ["address_resolver", "nonce"]),
    testMode,
    bindTtlMs: options.bindTtlMs ?? (testMode ? 0 : DEFAULT_BIND_TTL_MS),
    trustProxyHeaders: options.trustProxyHeaders ?? false,
    now,
    logger,
    ipRateLimit: options.ipRateLimit ?? DEFAULT_IP_RATE_LIMIT,
    keyRateLimit: options.keyRateLimit ?? DEFAULT_KEY_RATE_LIMIT,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    startedAt: new Date(now()),
  });
  return await serveService({
    name: "address resolver",
    logger,
    addr: options.addr,
    fetch: app.fetch,
    fields: { test_mode: testMode, store: kvStore.path },
    release: () => kvStore.close(),
  });
}
