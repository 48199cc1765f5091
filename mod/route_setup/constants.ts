/**
 * Ports, RPC names and limits of route setup. Values from Go 2024 unless noted.
 *
 * @module
 */

/** dmsg port a setup node listens on (Go `skyenv.DmsgSetupPort`). */
export const SETUP_PORT = 36;
/** dmsg port a visor's router takes route-setup calls on (Go `skyenv.DmsgAwaitSetupPort`). */
export const AWAIT_SETUP_PORT = 136;
/** The setup node's net/rpc service name (Go `SetupRPCGateway`). */
export const SETUP_RPC_NAME = "SetupRPCGateway";
/** A visor router's net/rpc service name (Go `router.RPCName`). */
export const ROUTER_RPC_NAME = "RPCGateway";

/** Route set-ups one setup node runs at once; the slot is taken before any work starts. */
export const MAX_CONCURRENT_SETUPS = 20;
/** Limit of each hop operation: the dial of a visor, and each call made to it. */
export const HOP_TIMEOUT_MS = 10_000;
/** Limit of one whole `DialRouteGroup` (Go's setup node gives a request 30 s). */
export const REQUEST_TIMEOUT_MS = 30_000;
/**
 * A setup connection with no call running is closed after this long: Go visors make one call
 * and hang up, so a connection that sends nothing only holds a slot.
 */
export const CONNECTION_IDLE_MS = 10_000;
/**
 * Most hops a route may have in each direction. Go sets no bound; ours keeps a request's work
 * bounded, and a visor's reservation (at most 2 × 33 ids) within the `uint8` that
 * `ReserveIDs` takes.
 */
export const MAX_ROUTE_HOPS = 32;
