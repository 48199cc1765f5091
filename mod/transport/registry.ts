import type { PubKey } from "../cipher/mod.ts";
import type { SignedTransportEntry } from "./entry.ts";

/**
 * Where transports are announced: the transport discovery (Go `DiscoveryClient`), implemented
 * by the TPD client (`tpd_client.ts`). The accepting side of a settlement registers the
 * countersigned entry; whichever side closes a transport deregisters it.
 */
export interface TransportRegistry {
  /** Register a settled transport (Go `POST /transports/` with one entry). */
  register(signed: SignedTransportEntry): Promise<void>;
  /** Remove a transport by id (Go `DELETE /transports/id:<id>`); a missing entry is success. */
  deregister(id: string): Promise<void>;
  /**
   * Optional keep-alive for the transports `ids` we hold, called periodically by the manager.
   * `restore` holds the countersigned entries of those we accepted: one the discovery no longer
   * has (it expired while the discovery was out of reach) is registered again from it.
   */
  heartbeat?(ids: string[], restore?: SignedTransportEntry[]): Promise<void>;
}

/** Where a visor can be reached over stcpr, as the address resolver answers (Go `VisorData`). */
export interface ResolvedAddress {
  /** The address the resolver saw the visor bind from (an IP, or `ip:port`). */
  remoteAddr: string;
  /** Whether we and the visor share that public IP (then `addresses` are tried first). */
  isLocal: boolean;
  /** The visor's stcpr listening port, decimal. */
  port: string;
  /** The visor's own interface addresses (IPs without port). */
  addresses: string[];
}

/**
 * The address resolver as stcpr uses it (Go `addrresolver.APIClient`), implemented by the AR
 * client (`ar_client.ts`).
 */
export interface AddressResolver {
  /** Announce our stcpr listening `port` and local interface `addresses` (Go `BindSTCPR`). */
  bind(port: number, addresses: string[]): Promise<void>;
  /** Where the visor `pk` listens for stcpr (Go `Resolve(ctx, "stcpr", pk)`). */
  resolve(pk: PubKey): Promise<ResolvedAddress>;
}
