/**
 * dmsg: Skywire's relay network, byte-compatible with Go dmsg.
 *
 * **Entities.** {@linkcode DmsgClient} keeps sessions to dmsg servers, publishes its client
 * entry in the discovery, listens on ports and dials streams. The relay server
 * ({@linkcode startDmsgServer}, in `./server/`) is built from the same parts
 * ({@linkcode acceptSession}, {@linkcode verifyStreamRequest}, {@linkcode StreamEndpoint} for
 * streams to itself).
 *
 * ```ts
 * const client = new DmsgClient({ pk, sk, discovery: "http://127.0.0.1:9090" });
 * await client.start();          // registers the entry, connects
 * await client.ready();          // a session is up and our entry names its server
 * const listener = client.listen(80);
 * const stream = await client.dialStream({ pk: otherPk, port: 80 });
 * await stream.write(bytes);
 * stream.close();
 * await client.close();
 * ```
 *
 * **Wire.** A session is TCP → Noise XK (client initiates) → yamux on the raw connection; the
 * XK keys only encrypt the per-stream objects. A stream is a yamux stream on which the dialer
 * sends a signed `StreamRequest` (KK message 1) and gets a signed `StreamResponse` (KK message
 * 2) back through the server, which re-encrypts the objects per hop and then relays bytes it
 * cannot read (KK end to end). Errors carry Go's numeric codes ({@linkcode DmsgError}).
 *
 * **Discovery** (in `./disc/`). Entries with Go-canonical JSON, signing and validation, the
 * HTTP client for the discovery API, and {@linkcode EntryPublisher} which keeps an entity's
 * entry current.
 *
 * **Where we differ from Go (on purpose).** Stream handshakes time out after 5 s (Go 2026;
 * 2023/2024 wait 20 s); listeners hold 256 streams (2026; 2024 holds 20); a server refuses
 * sessions past `maxSessions` (2024 only logs) and, having no `bufio`, does not apply Go's
 * racy "bytes buffered after the handshake" check (203) on its side, while a client does;
 * session objects over 16 KiB are refused; a signed refusal from the destination is passed
 * back to the dialer (Go drops it); `close()` leaves the entry in the discovery unless asked;
 * `ready()` waits until the published entry names a server (as Go's `Ready`); a stream's yamux
 * SYN rides on its request's data frame and its ACK on the answer's (Go sends each in a window
 * update of its own; both read either), one connection write less per hop and open.
 *
 * @module
 */
export * from "./disc/mod.ts";
export { addrEquals, formatAddr, parseAddr } from "./addr.ts";
export type { DmsgAddr } from "./addr.ts";
export { DmsgError, DmsgErrorCode, isKnownDmsgErrorCode } from "./errors.ts";
export { isExpectedFailure } from "./expected_errors.ts";
export {
  ACCEPT_BUFFER_SIZE,
  CLIENT_UPDATE_INTERVAL_MS,
  DEFAULT_CLIENT_TYPE,
  DEFAULT_SESSIONS_COUNT,
  DIAL_EXISTING_SESSIONS_MAX,
  DIAL_FAILURE_BACKOFF_MAX_MS,
  DIAL_FAILURE_BACKOFF_MS,
  DIAL_NEW_SESSIONS_MAX,
  ENTRY_CACHE_MAX,
  ENTRY_CACHE_TTL_MS,
  ENTRY_UPDATE_DEBOUNCE_MS,
  MAX_PORT,
  MAX_SESSION_OBJECT_LENGTH,
  MIN_EPHEMERAL_PORT,
  RECONNECT_BASE_MS,
  RECONNECT_FACTOR,
  RECONNECT_MAX_MS,
  SESSION_DIAL_TIMEOUT_MS,
  SESSION_HANDSHAKE_TIMEOUT_MS,
  SESSION_PING_INTERVAL_MS,
  SIG_LENGTH,
  STREAM_HANDSHAKE_TIMEOUT_MS,
  STREAM_IDLE_TIMEOUT_MS,
} from "./constants.ts";
export {
  checkStreamResponse,
  signStreamRequest,
  signStreamResponse,
  verifyStreamRequest,
  verifyStreamResponse,
} from "./signed_object.ts";
export type { VerifiedStreamRequest } from "./signed_object.ts";
export * as dmsgGob from "./gob_types.ts";
export { Porter } from "./porter.ts";
export { acceptSession, dialSession, DmsgSession } from "./session.ts";
export type {
  AcceptSessionOptions,
  DialSessionOptions,
  DmsgSessionInit,
  DmsgYamuxOptions,
} from "./session.ts";
export { SessionStream } from "./stream.ts";
export type { DmsgStream, SessionStreamInit } from "./stream.ts";
export { PortListener } from "./listener.ts";
export type { DmsgListener, PortListenerInit } from "./listener.ts";
export { StreamEndpoint } from "./endpoint.ts";
export type {
  EndpointDialOptions,
  StreamEndpointOptions,
  StreamEndpointStats,
} from "./endpoint.ts";
export { DmsgClient } from "./client.ts";
export type { ClientSessionInfo, DialStreamOptions, DmsgClientOptions } from "./client.ts";
export * from "./server/mod.ts";
