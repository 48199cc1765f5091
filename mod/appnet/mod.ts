/**
 * The network apps speak over ({@linkcode AppNet}: dial a visor's port, listen on ours) and its
 * two forms: route groups ({@linkcode routeAppNet}, Go's skynet, what Go apps use) and dmsg
 * streams ({@linkcode dmsgAppNet}). An app never knows which one carries it.
 *
 * @module
 */
export type { AppAddr, AppConn, AppDialOptions, AppListener, AppNet } from "./app_net.ts";
export { dmsgAppNet } from "./dmsg_net.ts";
export { routeAppNet } from "./route_net.ts";
export type { RouteNetParts } from "./route_net.ts";
