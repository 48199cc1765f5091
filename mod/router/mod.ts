/**
 * Skywire's router, byte- and behaviour-compatible with Go skywire (2024): the routing table's
 * rules put to work, route groups for apps, and the route setup RPC on both of its ends.
 *
 * ```ts
 * const router = new Router({ keyPair, transports: manager, noTransit: false });
 * // the transport manager's onPacket: (packet, tp) => router.handlePacket(packet, tp)
 * const rpc = new RouterRpcServer({ router, listener: dmsg.listen(AWAIT_SETUP_PORT), trusted });
 * const dialer = new RouteDialer({
 *   router,
 *   routeFinder: new RouteFinderClient({ url: config.routing.route_finder }),
 *   setup: new SetupClient({ dialer: dmsg, setupNodes }),
 * });
 * const conn = await dialer.dial(peerPk, 3, { minHops: 1 }); // a ByteStream
 * const listener = router.listen(3);                         // route groups dialed to us
 * const pinger = new RoutePinger({ router, dialer });
 * const { latenciesMs } = await pinger.ping(peerPk, { tries: 3 });
 * ```
 *
 * **Packets** ({@linkcode Router.handlePacket}): Forward and IntermediaryForward rules relay
 * (route id rewritten, next transport, activity), Consume rules feed route groups; malformed
 * and unroutable packets are dropped and counted ({@linkcode RouterStats}).
 *
 * **Route groups** ({@linkcode RouteGroup}, {@linkcode RouteConn}): the Handshake exchange
 * (encryption flag; Go 2024 sends one byte), Noise KK inside the route when both ends ask,
 * Data packets of up to 65535 bytes, KeepAlive every half rule keep-alive when idle, Ping/Pong
 * latency, Go's Close loop, and bounded read buffers that slow the transport instead of
 * dropping bytes.
 *
 * **Route setup**: {@linkcode RouterRpcServer} serves `RPCGateway` (`ReserveIDs`,
 * `AddIntermediaryRules`, `AddEdgeRules`) on dmsg port 136 to trusted setup nodes;
 * {@linkcode SetupClient} calls a setup node's `SetupRPCGateway.DialRouteGroup` on port 36 (the
 * setup node and its `RouterClient` are `mod/route_setup`'s); {@linkcode RouteFinderClient}
 * asks `POST /routes`.
 *
 * @module
 */
export * from "./constants.ts";
export {
  InvalidRulesError,
  NoRouteError,
  RouteDialError,
  RouteGroupClosedError,
  RouterError,
  RoutingFailure,
} from "./errors.ts";
export type { DropReason, PacketCounters } from "./_dispatch.ts";
export { RouteGroup } from "./route_group.ts";
export type {
  RouteGroupInfo,
  RouteGroupInit,
  RouteTransport,
  RouteTransports,
} from "./route_group.ts";
export { RouteConn } from "./route_conn.ts";
export type { RouteAddr } from "./route_conn.ts";
export { ROUTE_ACCEPT_BUFFER, RouteListener } from "./listener.ts";
export { Router } from "./router.ts";
export type { OpenGroupOptions, RouterOptions, RouterStats } from "./router.ts";
export { routerRpcMethods, RouterRpcServer } from "./rpc_gateway.ts";
export type { RouterRpcServerOptions, RouterRpcStream } from "./rpc_gateway.ts";
export { SetupClient } from "./setup_client.ts";
export type { RouteSetup, SetupClientOptions, SetupDialer } from "./setup_client.ts";
export { parseRoutes, pathEdgesKey, RouteFinderClient } from "./route_finder_client.ts";
export type {
  PathEdges,
  RouteFinder,
  RouteFinderClientOptions,
  RouteOptions,
} from "./route_finder_client.ts";
export { RouteDialer } from "./dialer.ts";
export type { DialRouteOptions, RouteDialerOptions } from "./dialer.ts";
export { RoutePinger } from "./ping.ts";
export type { PingOptions, PingResult, RoutePingerOptions } from "./ping.ts";
