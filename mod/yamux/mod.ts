/**
 * Stream multiplexing in hashicorp yamux's wire format, as dmsg uses it on the raw TCP connection
 * after the Noise XK handshake (the client opens odd stream ids, the server even).
 *
 * ```ts
 * const session = new Session(conn, { role: "client" });
 * const stream = await session.open();
 * await writeAll(stream, request);
 * await stream.closeWrite();
 * const rtt = await session.ping();
 * await session.close();
 * ```
 *
 * Frames: a 12-byte big-endian header `version(0) | type | flags | stream id | length`
 * ({@linkcode encodeHeader}, {@linkcode decodeHeader}). Flow control is per stream: 256 KiB
 * windows, refilled once half is consumed; a reader that stops reading stops the sender.
 *
 * @module
 */
export { Session } from "./session.ts";
export type { SessionStats } from "./session_stats.ts";
export type { Stream } from "./stream.ts";
export { splice } from "./splice.ts";
export type { SpliceOptions } from "./splice.ts";
export { INITIAL_STREAM_WINDOW } from "./config.ts";
export type { AcceptOptions, OpenOptions, SessionOptions, SessionRole } from "./config.ts";
export {
  decodeHeader,
  encodeHeader,
  Flag,
  FrameType,
  GoAwayCode,
  HEADER_SIZE,
  PROTOCOL_VERSION,
} from "./frame.ts";
export type { FrameHeader } from "./frame.ts";
export {
  RemoteGoAwayError,
  SessionClosedError,
  StreamClosedError,
  StreamResetError,
  YamuxError,
  YamuxProtocolError,
  YamuxTimeoutError,
} from "./errors.ts";
export type { YamuxTimeoutKind } from "./errors.ts";
