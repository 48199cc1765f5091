/**
 * What the address resolver does, without HTTP: bind a visor's stcpr address after Go's checks,
 * resolve one, unbind, list. Routes turn requests into calls here and results into Go's
 * answers.
 *
 * @module
 */
import type { PubKey } from "../../mod/cipher/mod.ts";
import { goStdJsonString } from "../../mod/httpauth/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";
import { isPublicIP } from "../../mod/netutil/mod.ts";
import {
  BindRequestError,
  decodeBindRequest,
  formatLocalAddresses,
  hasAddress,
} from "./bind_request.ts";
import type { Binding, BindingStore } from "./store.ts";

/** The network the resolver binds over HTTP (sudph binds over UDP in Go and is not served). */
export const STCPR = "stcpr";

/** Options for {@linkcode AddressService}. */
export interface AddressServiceOptions {
  /** Where bindings live. */
  store: BindingStore;
  /**
   * Test mode: bind visors from any IP (loopback, private). Go's resolver binds only from
   * public IPv4 addresses, which rules out a private network on one machine.
   */
  testMode: boolean;
  /** How long a binding lives without a new bind, ms (0 = until unbound). */
  bindTtlMs: number;
  /** Where binds are noted. */
  logger: Logger;
}

/** The outcome of {@linkcode AddressService.bind}: Go's 400 and error text on refusal. */
export type BindResult = { ok: true } | { ok: false; status: 400; error: string };

/** A resolved visor, as the resolve route answers it (Go's `VisorData`). */
export interface VisorData extends Binding {
  /** Whether the asking visor comes from the same IP (then the addresses are tried first). */
  isLocal: boolean;
}

/** Go's `json.Marshal` of `VisorData` (embedded `LocalAddresses` after `is_local`). */
export function visorDataJson(data: VisorData): string {
  const addresses = data.addresses === null
    ? "null"
    : `[${data.addresses.map(goStdJsonString).join(",")}]`;
  return `{"remote_addr":${goStdJsonString(data.remoteAddr)}` +
    (data.isLocal ? `,"is_local":true` : "") +
    `,"port":${goStdJsonString(data.port)},"addresses":${addresses}}`;
}

/** Bind, unbind, resolve and list visors' stcpr addresses. */
export class AddressService {
  readonly #store: BindingStore;
  readonly #testMode: boolean;
  readonly #ttlMs: number;
  readonly #log: Logger;

  /** Create the service. */
  constructor(options: AddressServiceOptions) {
    this.#store = options.store;
    this.#testMode = options.testMode;
    this.#ttlMs = options.bindTtlMs;
    this.#log = options.logger;
  }

  /**
   * Bind `pk` to the IP it asked from, with the port and addresses of `body`. Refused (Go's
   * 400 texts) when the IP is not public (outside test mode) or is not among the addresses the
   * visor announced: a visor behind NAT must not bind an address it cannot be reached on.
   */
  async bind(pk: PubKey, fromIp: string, body: Uint8Array): Promise<BindResult> {
    let local;
    try {
      local = decodeBindRequest(body);
    } catch (error) {
      if (!(error instanceof BindRequestError)) throw error;
      return { ok: false, status: 400, error: `invalid bind request: ${error.message}` };
    }
    const what = `Cannot bind ${pk.hex()} to ${fromIp} (STCPR).`;
    if (!this.#testMode && !isPublicIP(fromIp)) {
      const error = `${what} Invalid IP address in request: ${formatLocalAddresses(local)}`;
      return { ok: false, status: 400, error };
    }
    if (!hasAddress(local, fromIp)) {
      const error = `${what} Remote address not present in request: ${formatLocalAddresses(local)}`;
      return { ok: false, status: 400, error };
    }
    await this.#store.bind(STCPR, pk, { remoteAddr: fromIp, ...local }, this.#ttlMs);
    this.#log.debug("bound", { pk: pk.hex(), remote: fromIp, port: local.port });
    return { ok: true };
  }

  /** Remove `pk`'s stcpr binding. */
  async unbind(pk: PubKey): Promise<void> {
    await this.#store.unbind(STCPR, pk);
  }

  /**
   * Where `pk` can be reached over `network`, for a visor asking from `fromIp`; `undefined`
   * when there is no binding (any network but stcpr has none here, as in Go's test mode).
   */
  async resolve(network: string, pk: PubKey, fromIp: string): Promise<VisorData | undefined> {
    if (network !== STCPR) return undefined;
    const binding = await this.#store.get(STCPR, pk);
    if (!binding) return undefined;
    return { ...binding, isLocal: binding.remoteAddr === fromIp };
  }

  /** Keys (hex) of the visors bound for stcpr. */
  async stcprKeys(): Promise<string[]> {
    return await this.#store.keys(STCPR);
  }
}
