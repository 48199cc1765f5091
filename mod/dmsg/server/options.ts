import type { PubKey, SecKey } from "../../cipher/mod.ts";
import type { Logger } from "../../log/mod.ts";
import type { DiscoveryClient } from "../disc/mod.ts";
import type { DmsgYamuxOptions } from "../session.ts";
import type { PeerConfig } from "./peers.ts";

/** Sessions a server accepts by default (Go 2026 `MaxSessions`, 2048). */
export const DEFAULT_MAX_SESSIONS = 2048;
/**
 * Client sessions from one IPv4 address or IPv6 /64 at once (Go 2024's `--limit-ip` default,
 * 15); this host's own addresses are not capped unless `limitLoopback` is set.
 */
export const DEFAULT_MAX_SESSIONS_PER_ADDRESS = 15;
/** Server entry refresh period (Go `DefaultUpdateInterval`, 1 min). */
export const SERVER_UPDATE_INTERVAL_MS = 60_000;
/** Streams one session may have in the relay at once (Go 2026: 2048). */
export const MAX_STREAMS_PER_SESSION = 2048;
/** Relayed streams the whole server carries at once (Go 2026: 4096). */
export const MAX_RELAYED_STREAMS = 4096;
/**
 * Streams one session may have waiting for their answer at once (our value: a dial takes
 * milliseconds; streams that never send a request must not hold the relay caps).
 */
export const MAX_PENDING_STREAMS_PER_SESSION = 128;
/** Streams waiting for their answer over the whole server at once (our value). */
export const MAX_PENDING_STREAMS = 1024;
/**
 * Bytes a client's streams may hold unread in the server at once (our value): 64 streams whose
 * destinations stall, where yamux's windows alone allow 256 KiB for each of 2,048 streams.
 */
export const MAX_BUFFERED_BYTES_PER_SESSION = 16 * 1024 * 1024;
/**
 * Session handshakes under way at once; past it the oldest is dropped (our value: an honest
 * handshake takes a few round trips, and each one waiting costs ~10 KiB of heap).
 */
export const MAX_SESSION_HANDSHAKES = 1024;
/** Session handshakes under way from one IPv4 address or IPv6 /64 (our value). */
export const MAX_SESSION_HANDSHAKES_PER_ADDRESS = 64;

/** Options for {@linkcode startDmsgServer}. */
export interface DmsgServerOptions {
  /** The server's public key. */
  pk: PubKey;
  /** The server's secret key. */
  sk: SecKey;
  /** TCP `host:port` to listen on, e.g. `127.0.0.1:0`. */
  addr: string;
  /**
   * The `host:port` published in the discovery (default: the bound address; port 0: the bound
   * port).
   */
  publicAddress?: string;
  /** The dmsg discovery: its URL or a client for it. */
  discovery: string | DiscoveryClient;
  /** Client sessions accepted at once (default 2048); more are refused after the handshake. */
  maxSessions?: number;
  /**
   * Client sessions from one IPv4 address or IPv6 /64 at once (default 15; 0: no cap); more are
   * refused after the handshake, except a client replacing its own session. Peer links do not
   * count.
   */
  maxSessionsPerAddress?: number;
  /**
   * Cap this host's own addresses (127.0.0.1, ::1) too (default false: local visors, tools and a
   * reverse proxy in front of the server all come from there).
   */
  limitLoopback?: boolean;
  /** Session handshakes under way at once (default 1024); past it the oldest is dropped. */
  maxHandshakes?: number;
  /** Session handshakes under way per IPv4 address or IPv6 /64 (default 64). */
  maxHandshakesPerAddress?: number;
  /** Peer servers to dial and to accept links from (the mesh). */
  peers?: PeerConfig[];
  /**
   * Also publish a client section delegating to this server itself, so that clients which
   * only dial keys with a client entry (Go 2023/2024 dmsg) can open streams to the server's
   * own key, e.g. its route setup node on port 36. Off by default.
   */
  selfDelegated?: boolean;
  /** Entry refresh period, ms (default 1 min). */
  updateIntervalMs?: number;
  /** Entry update debounce after session changes, ms (default 1 s). */
  updateDebounceMs?: number;
  /** First peer reconnect delay, ms (default 5 s, ×1.5 up to 1 min). */
  reconnectBaseMs?: number;
  /** Session (XK) handshake limit, ms (default 5 s). */
  sessionHandshakeTimeoutMs?: number;
  /** Stream handshake limit, ms (default 5 s). */
  streamHandshakeTimeoutMs?: number;
  /** Idle timeout of streams to the server itself, ms (default 2 min). */
  streamIdleTimeoutMs?: number;
  /** Peers whose KK static-static DH is remembered (default 128, ~380 bytes each; 0: none). */
  staticDhCacheSize?: number;
  /** Streams a session may have in the relay at once (default 2048). */
  maxStreamsPerSession?: number;
  /** Relayed streams at once (default 4096). */
  maxRelayedStreams?: number;
  /** Streams a session may have waiting for their answer (default 128). */
  maxPendingStreamsPerSession?: number;
  /** Streams waiting for their answer over the whole server (default 1024). */
  maxPendingStreams?: number;
  /** Bytes a client's streams may hold unread in the server (default 16 MiB). */
  maxBufferedBytesPerSession?: number;
  /** Yamux settings for sessions. */
  yamux?: DmsgYamuxOptions;
  /** One line per session, streams at debug. */
  logger?: Logger;
}
