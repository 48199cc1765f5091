import type { KeyPair, PubKey } from "../cipher/mod.ts";
import type { Logger } from "../log/mod.ts";
import { splitHostPort } from "../netutil/mod.ts";
import { TransportType } from "./constants.ts";
import { AddressNotFoundError } from "./errors.ts";
import { TcpNetwork, type TcpNetworkOptions } from "./tcp_network.ts";

/** Options for {@linkcode createStcpNetwork} (Go's `skywire-tcp` config section). */
export interface StcpNetworkOptions {
  /** Our keys. */
  keyPair: KeyPair;
  /**
   * Peers' addresses: public key (hex) → `host:port` (Go `pk_table`). A `Map` is read live
   * (keys in lowercase hex); a record is copied.
   */
  pkTable: ReadonlyMap<string, string> | Record<string, string>;
  /** `host:port` to accept on (Go `listening_address`; `:7777` means every interface). */
  listeningAddress?: string;
  /** Timeouts, limits and logging, as for {@linkcode TcpNetwork}. */
  tuning?: Omit<TcpNetworkOptions, "type" | "keyPair" | "listen" | "addressesOf">;
  /** Logger. */
  logger?: Logger;
}

/**
 * The `stcp` network: TCP to the address a static table gives for the peer's key. A key that
 * is not in the table fails with {@linkcode AddressNotFoundError} ("entry not found in PK
 * table", Go's words).
 */
export function createStcpNetwork(options: StcpNetworkOptions): TcpNetwork {
  const table: ReadonlyMap<string, string> = options.pkTable instanceof Map
    ? options.pkTable as ReadonlyMap<string, string>
    : new Map(Object.entries(options.pkTable).map(([pk, addr]) => [pk.toLowerCase(), addr]));
  let listen: TcpNetworkOptions["listen"];
  if (options.listeningAddress) {
    const parts = splitHostPort(options.listeningAddress);
    if (!parts) throw new TypeError(`invalid stcp listening address "${options.listeningAddress}"`);
    listen = { hostname: parts.host || "0.0.0.0", port: Number(parts.port) || 0 };
  }
  return new TcpNetwork({
    ...options.tuning,
    type: TransportType.stcp,
    keyPair: options.keyPair,
    listen,
    logger: options.logger,
    addressesOf: (pk: PubKey) => {
      const address = table.get(pk.hex());
      if (!address) return Promise.reject(new AddressNotFoundError("entry not found in PK table"));
      return Promise.resolve([address]);
    },
  });
}
