import { generateKeyPair, type KeyPair } from "../../../mod/cipher/mod.ts";
import type { DecodedPacket } from "../../../mod/routing/mod.ts";
import {
  createStcpNetwork,
  type ManagedTransport,
  type SignedTransportEntry,
  type TcpNetwork,
  TransportManager,
  type TransportManagerOptions,
  type TransportRegistry,
} from "../../../mod/transport/mod.ts";
import { eventually } from "../../_util/eventually.ts";

export { eventually };

/** A transport registry kept in memory (the TPD client's interface; the TPD is another suite). */
export class MemoryRegistry implements TransportRegistry {
  readonly entries = new Map<string, SignedTransportEntry>();
  registered = 0;
  deregistered = 0;

  register(signed: SignedTransportEntry): Promise<void> {
    this.registered++;
    this.entries.set(signed.entry.id, signed);
    return Promise.resolve();
  }

  deregister(id: string): Promise<void> {
    this.deregistered++;
    this.entries.delete(id);
    return Promise.resolve();
  }
}

/** A received packet, copied. */
export interface Received {
  transport: ManagedTransport;
  type: number;
  routeId: number;
  payload: Uint8Array;
}

/** A visor's transport side: keys, an stcp network on 127.0.0.1, a manager. */
export interface StcpPeer {
  keys: KeyPair;
  network: TcpNetwork;
  manager: TransportManager;
  received: Received[];
  /** Where its stcp network listens. */
  address: string;
}

/** Options for a test peer. */
export type PeerOptions = Partial<Omit<TransportManagerOptions, "keyPair" | "networks">> & {
  keys?: KeyPair;
  port?: number;
};

/**
 * Start an stcp peer. `table` is the shared live PK table (hex → address): the peer adds
 * itself to it once listening.
 */
export async function startStcpPeer(
  table: Map<string, string>,
  options: PeerOptions = {},
): Promise<StcpPeer> {
  const keys = options.keys ?? generateKeyPair();
  const network = createStcpNetwork({
    keyPair: keys,
    pkTable: table,
    listeningAddress: `127.0.0.1:${options.port ?? 0}`,
  });
  const received: Received[] = [];
  const manager = new TransportManager({
    pingIntervalMs: 0,
    ...options,
    keyPair: keys,
    networks: [network],
    onPacket: options.onPacket ?? ((packet: DecodedPacket, transport) => {
      received.push({
        transport,
        type: packet.type,
        routeId: packet.routeId,
        payload: packet.payload.slice(),
      });
    }),
  });
  await manager.start();
  const address = `127.0.0.1:${network.listenAddr!.port}`;
  table.set(keys.pk.hex(), address);
  return { keys, network, manager, received, address };
}

/**
 * Ping until a pong comes back (within `limitMs`): right after a glare or a redial the two ends
 * can briefly sit on different connections, and a ping sent into the losing one is lost.
 */
export async function pingEventually(
  transport: ManagedTransport,
  limitMs = 5_000,
): Promise<number> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    try {
      return await transport.ping(300);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
