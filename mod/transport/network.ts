import type { PubKey } from "../cipher/mod.ts";
import type { ByteStream } from "../conn/mod.ts";
import type { DmsgAddr } from "../dmsg/mod.ts";

/**
 * One connection of a transport type, ready for the settlement handshake: a Noise-wrapped TCP
 * connection (stcp, stcpr) or a dmsg stream. Closing it releases everything it holds.
 */
export interface TransportConn extends ByteStream {
  /** Transport type: `dmsg`, `stcp`, `stcpr`. */
  readonly type: string;
  /** Our key and skywire port. */
  readonly localAddr: DmsgAddr;
  /** The peer's key (authenticated by Noise) and skywire port. */
  readonly remoteAddr: DmsgAddr;
  /** Whether we dialed it. */
  readonly initiator: boolean;
  /** The peer's network address (`host:port`) for TCP types. */
  readonly remoteRawAddr?: string;
}

/** Connections arriving for one skywire port. */
export interface TransportListener extends AsyncIterable<TransportConn> {
  /** The skywire port. */
  readonly port: number;
  /** The next connection, or `null` once the listener is closed. */
  accept(): Promise<TransportConn | null>;
  /** Stop listening; connections not yet accepted are closed. Idempotent. */
  close(): void;
}

/** Options for {@linkcode TransportNetwork.dial}. */
export interface NetworkDialOptions {
  /** Abort the dial (and its handshakes). */
  signal?: AbortSignal;
}

/**
 * A transport type's network (Go `network.Client`): dials peers by key and delivers the
 * connections peers dial to us, each already through the network handshake and Noise (TCP
 * types) or dmsg's stream handshake.
 */
export interface TransportNetwork {
  /** The transport type it makes connections of. */
  readonly type: string;
  /** Our key. */
  readonly localPk: PubKey;
  /** Start accepting (binds the TCP listener). Idempotent. */
  start(): Promise<void>;
  /** Dial `remote` on skywire `port`. The caller owns the connection. */
  dial(remote: PubKey, port: number, options?: NetworkDialOptions): Promise<TransportConn>;
  /** Listen on skywire `port`. Throws if it is taken. */
  listen(port: number): TransportListener;
  /** Stop accepting, close listeners and abort handshakes in flight. Dialed connections stay open. */
  close(): Promise<void>;
}
