import type { KeyPair, PubKey } from "../cipher/mod.ts";
import type { Logger } from "../log/mod.ts";
import { joinHostPort, splitHostPort } from "../netutil/mod.ts";
import { TransportType } from "./constants.ts";
import { AddressNotFoundError } from "./errors.ts";
import type { AddressResolver, ResolvedAddress } from "./registry.ts";
import { TcpNetwork, type TcpNetworkOptions } from "./tcp_network.ts";

/** Options for {@linkcode createStcprNetwork}. */
export interface StcprNetworkOptions {
  /** Our keys. */
  keyPair: KeyPair;
  /** The address resolver: where we announce our port and look peers up. */
  resolver: AddressResolver;
  /** TCP port to accept on (Go `stcpr_port`; 0 = any). Taken ports are skipped upwards. */
  port?: number;
  /** Interface to bind (default every interface, as Go). */
  hostname?: string;
  /** Our interface addresses to announce (default: every non-link-local one this host has). */
  localAddresses?: () => string[];
  /** Timeouts, limits and logging, as for {@linkcode TcpNetwork}. */
  tuning?: Omit<TcpNetworkOptions, "type" | "keyPair" | "listen" | "addressesOf" | "onListening">;
  /** Logger. */
  logger?: Logger;
}

/**
 * The addresses to try for a resolved visor, in Go's order (`dialVisor`): when we share its
 * public IP, each of its own interface addresses first; then the address the resolver saw,
 * with the visor's port unless it already has one.
 */
export function stcprCandidates(resolved: ResolvedAddress): string[] {
  const out = resolved.isLocal
    ? resolved.addresses.map((host) => joinHostPort(host, resolved.port))
    : [];
  out.push(
    splitHostPort(resolved.remoteAddr)
      ? resolved.remoteAddr
      : joinHostPort(resolved.remoteAddr, resolved.port),
  );
  return out;
}

/** This host's interface addresses, as Go's `netutil.LocalAddresses` lists them (no link-local). */
export function localInterfaceAddresses(): string[] {
  try {
    return Deno.networkInterfaces()
      .map((iface) => iface.address)
      .filter((address) => !address.startsWith("fe80:") && !address.startsWith("169.254."));
  } catch {
    return []; // no permission to list interfaces: announce none, the resolver uses what it sees
  }
}

/**
 * The `stcpr` network: TCP to the address the address resolver gives for the peer's key. Once
 * listening, our port and interface addresses are bound at the resolver (a failure is logged;
 * we keep accepting, since peers may know our address another way).
 */
export function createStcprNetwork(options: StcprNetworkOptions): TcpNetwork {
  const { resolver } = options;
  const logger = options.logger;
  return new TcpNetwork({
    listenPortRetries: 64,
    ...options.tuning,
    type: TransportType.stcpr,
    keyPair: options.keyPair,
    listen: { hostname: options.hostname, port: options.port ?? 0 },
    logger,
    addressesOf: async (pk: PubKey) => {
      let resolved: ResolvedAddress;
      try {
        resolved = await resolver.resolve(pk);
      } catch (cause) {
        throw new AddressNotFoundError(
          `resolve PK: ${cause instanceof Error ? cause.message : cause}`,
          {
            cause,
          },
        );
      }
      return stcprCandidates(resolved);
    },
    onListening: (addr) =>
      resolver.bind(addr.port, (options.localAddresses ?? localInterfaceAddresses)()),
  });
}
