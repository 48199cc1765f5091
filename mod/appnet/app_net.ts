import type { PubKey } from "../cipher/mod.ts";
import type { ByteStream } from "../conn/mod.ts";

/** One end of an app connection: a visor key and the app's port. */
export interface AppAddr {
  /** The visor. */
  pk: PubKey;
  /** The port (a route port, or a dmsg port on the dmsg network). */
  port: number;
}

/** A connection an app dialed or accepted. */
export interface AppConn extends ByteStream {
  /** Our end, when the network knows it. */
  readonly localAddr?: AppAddr;
  /** The peer's end, when the network knows it. */
  readonly remoteAddr?: AppAddr;
}

/** Options for {@linkcode AppNet.dial}. */
export interface AppDialOptions {
  /** Routes must cross at least this many transports (route networks; others ignore it). */
  minHops?: number;
  /** Abort the dial. */
  signal?: AbortSignal;
}

/** Incoming connections on one port. */
export interface AppListener {
  /** The next connection, or `null` once the listener is closed. */
  accept(): Promise<AppConn | null>;
  /** Stop listening and free the port (idempotent); pending `accept()`s resolve `null`. */
  close(): void;
}

/**
 * The network an app speaks over (Go `appnet`): dial a visor's port, listen on one of ours.
 * The router's route groups satisfy it (skynet, Go apps' network); so does a dmsg client
 * ({@linkcode dmsgAppNet}). Apps are written against this, never against one network.
 */
export interface AppNet {
  /** Connect to `port` on visor `pk`. */
  dial(pk: PubKey, port: number, options?: AppDialOptions): Promise<AppConn>;
  /** Listen on `port`; throws when it is taken. */
  listen(port: number): AppListener;
}
