import type { Logger } from "../log/mod.ts";

/** The window every stream starts with on both sides (yamux `initialStreamWindow`). */
export const INITIAL_STREAM_WINDOW = 256 * 1024;

/** Which end of the connection this session is: clients open odd stream ids, servers even. */
export type SessionRole = "client" | "server";

/**
 * Session settings. Durations are milliseconds. Defaults are dmsg's yamux config (2026
 * `YamuxConfig`); 2023-2024 dmsg used hashicorp's defaults (backlog 256, open timeout 75 s,
 * close timeout 5 min), which differ only in local timing, not on the wire.
 */
export interface SessionOptions {
  /** Client or server side (decides stream id parity). Required. */
  role: SessionRole;
  /** Streams that may wait for `accept()`, and opens that may wait for an ACK. Default 512. */
  acceptBacklog?: number;
  /** Ping the peer every `keepAliveInterval`; a ping that fails closes the session. Default true. */
  enableKeepAlive?: boolean;
  /** Keepalive period. Default 30 000. */
  keepAliveInterval?: number;
  /** A connection write (or a ping answer) taking longer closes the session. Default 10 000. */
  connectionWriteTimeout?: number;
  /** Receive window per stream; at least 256 KiB. Default 256 KiB. */
  maxStreamWindowSize?: number;
  /**
   * Received bytes all streams together may hold unread; data past it resets the stream it is
   * for (the windows alone allow 256 KiB per stream). Default: no such budget.
   */
  maxBufferedBytes?: number;
  /** An opened stream not ACKed this long closes the session, as in Go; 0 disables. Default 20 000. */
  streamOpenTimeout?: number;
  /** After our FIN, a stream the peer does not FIN this long is reset; 0 disables. Default 30 000. */
  streamCloseTimeout?: number;
  /** Receives one line per notable event (drops, protocol errors). Silent when omitted. */
  logger?: Logger;
}

/** Options for `Session.open`. */
export interface OpenOptions {
  /**
   * Send no SYN now: it leaves with the stream's first frame (data, window update or FIN), in
   * the same connection write as the data when the caller writes at once, as a dmsg request
   * follows its open (one write less per stream). The peer learns of the stream only then.
   */
  lazy?: boolean;
}

/** Options for `Session.accept`. */
export interface AcceptOptions {
  /**
   * Send no ACK now: it leaves with the stream's first frame (the answer, a due window update,
   * FIN or RST), saving a connection write when the answer follows soon, as a dmsg response
   * follows its request. Until then the stream counts against the opener's backlog of un-ACKed
   * opens (Go: 256), and the opener's open timeout (Go: 75 s) must not pass first.
   */
  lazy?: boolean;
}

/** {@linkcode SessionOptions} with every default filled in. */
export type SessionConfig = Required<Omit<SessionOptions, "logger">> & { logger?: Logger };

/** Fill in defaults and check ranges; throws `RangeError` for a bad value. */
export function resolveConfig(options: SessionOptions): SessionConfig {
  if (options.role !== "client" && options.role !== "server") {
    throw new RangeError(`role must be "client" or "server"`);
  }
  const config: SessionConfig = {
    role: options.role,
    acceptBacklog: options.acceptBacklog ?? 512,
    enableKeepAlive: options.enableKeepAlive ?? true,
    keepAliveInterval: options.keepAliveInterval ?? 30_000,
    connectionWriteTimeout: options.connectionWriteTimeout ?? 10_000,
    maxStreamWindowSize: options.maxStreamWindowSize ?? INITIAL_STREAM_WINDOW,
    maxBufferedBytes: options.maxBufferedBytes ?? Infinity,
    streamOpenTimeout: options.streamOpenTimeout ?? 20_000,
    streamCloseTimeout: options.streamCloseTimeout ?? 30_000,
    logger: options.logger,
  };
  if (!Number.isInteger(config.acceptBacklog) || config.acceptBacklog <= 0) {
    throw new RangeError("acceptBacklog must be a positive integer");
  }
  const window = config.maxStreamWindowSize;
  if (!Number.isInteger(window) || window < INITIAL_STREAM_WINDOW || window > 0xffffffff) {
    throw new RangeError(`maxStreamWindowSize must be an integer >= ${INITIAL_STREAM_WINDOW}`);
  }
  if (!(config.maxBufferedBytes > 0)) throw new RangeError("maxBufferedBytes must be positive");
  for (const key of ["keepAliveInterval", "connectionWriteTimeout"] as const) {
    if (!(config[key] > 0)) throw new RangeError(`${key} must be positive`);
  }
  for (const key of ["streamOpenTimeout", "streamCloseTimeout"] as const) {
    if (!(config[key] >= 0)) throw new RangeError(`${key} must be >= 0`);
  }
  return config;
}
