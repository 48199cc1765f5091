/**
 * Route setup (the "setup node"): how a route's rules get to its visors. A visor asks a setup
 * node (dmsg port 36, gob net/rpc `SetupRPCGateway.DialRouteGroup(BidirectionalRoute) →
 * EdgeRules`); the node dials every visor of the route (dmsg port 136), reserves route ids
 * (`RPCGateway.ReserveIDs`), sends intermediaries their rules (`AddIntermediaryRules`) and the
 * destination its edge rules (`AddEdgeRules`), and answers the initiator with its own.
 *
 * - {@linkcode SetupNode}: serves connections from a listener; 20 set-ups at once (the slot
 *   is taken before a connection is accepted), 10 s per hop step, 30 s per set-up, idle
 *   connections closed after 10 s. Go 2026's cascade calls get {@linkcode CASCADE_UNSUPPORTED}.
 * - {@linkcode createRouteGroup}: one set-up, given a {@linkcode HopDialer}.
 * - {@linkcode checkRoute}, {@linkcode generateRules}: Go's checks and rules, as pure functions.
 * - {@linkcode RouterClient} (the node's calls to a visor) and {@linkcode dialRouteGroup} (a
 *   visor's call to a node).
 *
 * The wire types are `routingGob` in `mod/routing`. Failures are {@linkcode RouteSetupError}s;
 * their message is the text the requesting visor gets back.
 *
 * @module
 */
export {
  AWAIT_SETUP_PORT,
  CONNECTION_IDLE_MS,
  HOP_TIMEOUT_MS,
  MAX_CONCURRENT_SETUPS,
  MAX_ROUTE_HOPS,
  REQUEST_TIMEOUT_MS,
  ROUTER_RPC_NAME,
  SETUP_PORT,
  SETUP_RPC_NAME,
} from "./constants.ts";
export { RouteSetupError } from "./errors.ts";
export type { RouteSetupErrorCode } from "./errors.ts";
export { checkRoute, reservationCounts, ROUTE_CHECK_ERRORS } from "./route_check.ts";
export { generateRules } from "./rules.ts";
export type { RouteRules } from "./rules.ts";
export { RouterClient } from "./router_client.ts";
export { dialRouteGroup } from "./setup_client.ts";
export type { DialRouteGroupOptions } from "./setup_client.ts";
export { createRouteGroup } from "./create_route_group.ts";
export type { CreateRouteGroupOptions, HopDialer } from "./create_route_group.ts";
export { CASCADE_UNSUPPORTED, SetupNode } from "./setup_node.ts";
export type { SetupListener, SetupNodeOptions, SetupNodeStats } from "./setup_node.ts";
