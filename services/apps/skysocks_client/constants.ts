/** Where the client listens by default (Go's is `:1080`; we keep the proxy on loopback). */
export const DEFAULT_CLIENT_ADDR = "127.0.0.1:1080";

/** The liveness ping period (Go 2026 `livenessProbeInterval`). */
export const PING_INTERVAL_MS = 15_000;

/** How long a liveness ping may take (Go 2026 `livenessProbeTimeout`). */
export const PING_TIMEOUT_MS = 10_000;

/** Consecutive unanswered pings that end a session (Go 2026 `livenessFailThreshold`). */
export const PING_FAILURES = 2;

/** First redial delay; doubles per failed dial up to {@linkcode BACKOFF_MAX_MS} (Go retrier). */
export const BACKOFF_INITIAL_MS = 1_000;

/** Largest redial delay. */
export const BACKOFF_MAX_MS = 30_000;

/** A dial of the server taking longer is abandoned (and retried after the backoff). */
export const DIAL_TIMEOUT_MS = 30_000;

/** How long a SOCKS request waits for a session before it gets a SOCKS error. */
export const REQUEST_WAIT_MS = 20_000;

/** How long the exit may take to answer a forwarded greeting before another session is tried. */
export const EXIT_REPLY_TIMEOUT_MS = 10_000;

/** The SOCKS negotiation limit for local clients (Go 2026 `statusSniffTimeout`). */
export const HANDSHAKE_TIMEOUT_MS = 15_000;

/** Local SOCKS connections served at once; more are closed on accept. */
export const MAX_CONNECTIONS = 1_024;

/** The reserved host whose page shows the proxy's state (Go 2026 `status.skysocks`). */
export const STATUS_HOST = "status.skysocks";
