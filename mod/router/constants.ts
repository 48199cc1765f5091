/**
 * Ports, timeouts and sizes of Skywire's router, from the Go implementation (skywire 2024,
 * `pkg/router`, `pkg/skyenv`), with a note where 2026 differs. The route-setup ports (36, 136)
 * and RPC names are `mod/route_setup`'s.
 *
 * @module
 */

/** Route port of the loop-route ping listener (Go 2024 `skyenv.SkyPingPort`; 2026 uses 58). */
export const SKY_PING_PORT = 48;

/** First ephemeral route port handed to dials (Go `netutil.PorterMinEphemeral`). */
export const MIN_EPHEMERAL_ROUTE_PORT = 49152;

/** Largest route port (routing.Port is a uint16). */
export const MAX_ROUTE_PORT = 0xffff;

/** How long a route-group end waits for the peer's Handshake packet (Go `handshakeAwaitTimeout`). */
export const HANDSHAKE_AWAIT_TIMEOUT_MS = 2_000;

/** How long a closing route group waits for the peer's Close answer (Go `closeRoutineTimeout`). */
export const CLOSE_ROUTINE_TIMEOUT_MS = 2_000;

/** Noise KK handshake limit inside a route (Go's `EncryptConn` limit, as for transports). */
export const ROUTE_NOISE_TIMEOUT_MS = 5_000;

/** Route-group latency probe period (Go `defaultPingInterval`). */
export const ROUTE_GROUP_PING_INTERVAL_MS = 3_000;

/**
 * Rule keep-alive our dials ask for. Go 2024 asks 30 s (`DefaultRouteKeepAlive`; 2026 asks
 * 10 min): short enough that a dead hop's rules go within a minute, and groups send KeepAlive
 * every half of it.
 */
export const ROUTE_KEEP_ALIVE_MS = 30_000;

/** Hop limit sent to the route finder when none is configured (Go `maxHops`). */
export const DEFAULT_MAX_HOPS = 50;

/** Bytes a route group holds unread before it stops taking packets from its transport. */
export const ROUTE_GROUP_READ_BUFFER = 1024 * 1024;

/** Setup-node call limit for one route (Go's setup node gives each request 30 s). */
export const SETUP_TIMEOUT_MS = 30_000;

/** Route finder request limit (Go `rfclient` default). */
export const ROUTE_FINDER_TIMEOUT_MS = 10_000;

/** Router RPC streams served at once; more are closed at once. */
export const MAX_ROUTER_RPC_STREAMS = 32;

/** Limit for one router RPC call, and for a whole RPC stream's life, ms. */
export const ROUTER_RPC_CALL_TIMEOUT_MS = 10_000;

/** How long one setup node may keep a router RPC stream open (Go gives a setup request 30 s). */
export const ROUTER_RPC_STREAM_TIMEOUT_MS = 60_000;

/** Routing failure codes in RPC errors (Go `routing.FailureCode`). */
export const FailureCode = {
  /** Unknown failure. */
  Unknown: 0,
  /** Rules could not be added. */
  AddRules: 1,
  /** Routes could not be created. */
  CreateRoutes: 2,
  /** Routes were already created. */
  RoutesCreated: 3,
  /** Route ids could not be reserved. */
  ReserveRtIDs: 4,
} as const;

/** One of the {@linkcode FailureCode} values. */
export type FailureCode = typeof FailureCode[keyof typeof FailureCode];
