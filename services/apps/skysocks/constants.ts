/** The route port skysocks listens on (Go `skyenv.SkysocksPort`). */
export const SKYSOCKS_PORT = 3;

/** SOCKS connections one skysocks server relays at once; more are refused at the mux. */
export const DEFAULT_MAX_CONNECTIONS = 1_024;

/**
 * How often the server pings each client session. Go's server runs yamux without keepalive and
 * relies on the route group's own keepalive; ours reaps a session whose route died silently.
 * A Go client answers these pings like any yamux peer.
 */
export const SERVER_KEEPALIVE_MS = 30_000;
