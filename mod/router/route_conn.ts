import type { PubKey } from "../cipher/mod.ts";
import type { ByteStream } from "../conn/mod.ts";
import type { routingGob } from "../routing/mod.ts";
import type { RouteGroup, RouteGroupInfo } from "./route_group.ts";

/** One end of a route: a visor key and a route port. */
export interface RouteAddr {
  /** The visor. */
  pk: PubKey;
  /** The route port (an app's port). */
  port: number;
}

/**
 * What an app gets from a route dial or a route listener (Go `NoiseRouteGroup`): the route
 * group, inside Noise KK when both ends asked for encryption. Closing it closes the group
 * (Close packets, rules released). Route groups cannot half-close, so there is no
 * `closeWrite`.
 */
export class RouteConn implements ByteStream {
  /** Our end. */
  readonly localAddr: RouteAddr;
  /** The peer's end. */
  readonly remoteAddr: RouteAddr;
  /** Whether the bytes travel inside Noise KK. */
  readonly encrypted: boolean;
  /** The route group underneath. */
  readonly group: RouteGroup;
  /** The paths the route finder gave, on groups we dialed. */
  paths?: { forward: routingGob.Hop[]; reverse: routingGob.Hop[] };
  readonly #stream: ByteStream;

  /** Wrap `stream` (the group itself, or a Noise stream over it). */
  constructor(group: RouteGroup, stream: ByteStream, encrypted: boolean) {
    this.group = group;
    this.#stream = stream;
    this.encrypted = encrypted;
    const d = group.descriptor;
    this.localAddr = { pk: d.dstPk, port: d.dstPort };
    this.remoteAddr = { pk: d.srcPk, port: d.srcPort };
  }

  /** Resolves once the group released its rules. */
  get closed(): Promise<void> {
    return this.group.closed;
  }

  /** Latency of the last route-group probe, ms. */
  get latencyMs(): number | undefined {
    return this.group.latencyMs;
  }

  /** A snapshot of the group. */
  info(): RouteGroupInfo {
    return this.group.info();
  }

  /** Read; `null` once the peer closed (after what it sent) or after close. */
  read(p: Uint8Array): Promise<number | null> {
    return this.#stream.read(p);
  }

  /** Write some of `p`. */
  write(p: Uint8Array): Promise<number> {
    return this.#stream.write(p);
  }

  /** Close the route group (idempotent). */
  close(): void {
    this.#stream.close();
  }
}
