/**
 * Timings and limits of dmsg entities, from Go's dmsg (2024 vendored code unless noted).
 *
 * @module
 */

/** TCP dial limit for a session to a server (Go `DialTimeout`). */
export const SESSION_DIAL_TIMEOUT_MS = 10_000;

/** Noise XK session handshake limit (Go `HandshakeTimeout` for sessions, 5 s). */
export const SESSION_HANDSHAKE_TIMEOUT_MS = 5_000;

/**
 * Whole stream handshake (request → response) limit. Go 2023/2024 use 20 s, Go 2026 5 s; we
 * take 2026's because our dial ladder tries servers one after another, so a silent path must
 * not hold the dial for long, and a KK round trip takes milliseconds.
 */
export const STREAM_HANDSHAKE_TIMEOUT_MS = 5_000;

/** A stream with no read or write for this long is closed (Go 2026 `StreamIdleTimeout`). */
export const STREAM_IDLE_TIMEOUT_MS = 2 * 60_000;

/**
 * Streams a listener holds before they are accepted (Go 2024 `AcceptBufferSize` is 20, 2026
 * 256; we take 256 so bursts of HTTP requests over dmsg are not refused).
 */
export const ACCEPT_BUFFER_SIZE = 256;

/** First ephemeral port handed to dialed streams (Go `PorterMinEphemeral`). */
export const MIN_EPHEMERAL_PORT = 49152;

/** Highest dmsg port. */
export const MAX_PORT = 0xffff;

/** Sessions a client keeps by default (Go `DefaultMinSessions`). */
export const DEFAULT_SESSIONS_COUNT = 1;

/** Client entry refresh period (Go `DefaultUpdateInterval * 5`, 5 min). */
export const CLIENT_UPDATE_INTERVAL_MS = 5 * 60_000;

/** Entry updates after a session is added or removed are debounced by this much (Go 2026). */
export const ENTRY_UPDATE_DEBOUNCE_MS = 1_000;

/** First reconnect delay after a failed connect round (Go client `bo`, 5 s). */
export const RECONNECT_BASE_MS = 5_000;

/** Growth of the reconnect delay per failed round (Go `netutil.DefaultFactor` is 1.3; 2026 1.5). */
export const RECONNECT_FACTOR = 1.5;

/** Largest reconnect delay (Go client `maxBO`, 1 min). */
export const RECONNECT_MAX_MS = 60_000;

/** Sessions are pinged at start and then this often; latency sorts servers (Go 2026, 1 h). */
export const SESSION_PING_INTERVAL_MS = 60 * 60_000;

/** A destination's discovery entry is reused for this long (Go 2026 entry cache TTL). */
export const ENTRY_CACHE_TTL_MS = 30_000;

/** Destination entries cached at most (our bound, so the cache cannot grow without limit). */
export const ENTRY_CACHE_MAX = 1024;

/** Dial ladder: existing sessions tried per phase (Go 2026 cap, was 2). */
export const DIAL_EXISTING_SESSIONS_MAX = 16;

/** Dial ladder: new sessions opened to the destination's servers per dial (Go 2026). */
export const DIAL_NEW_SESSIONS_MAX = 2;

/** First failure backoff for a destination whose whole ladder failed (our value). */
export const DIAL_FAILURE_BACKOFF_MS = 1_000;

/** Largest failure backoff for a destination (our value). */
export const DIAL_FAILURE_BACKOFF_MAX_MS = 30_000;

/**
 * Largest encrypted session object (stream request/response) we read, prefix value in bytes.
 * Go reads any 16-bit length; real objects are a few hundred bytes (about 1.5 KiB with a 2026
 * post-quantum offer), and a cap keeps a peer from parking 64 KiB buffers on every stream.
 */
export const MAX_SESSION_OBJECT_LENGTH = 16 * 1024;

/** Length of a signature in front of a signed object (`cipher.Sig`). */
export const SIG_LENGTH = 65;

/** Default client type in client entries (what Go visors register as). */
export const DEFAULT_CLIENT_TYPE = "visor";
