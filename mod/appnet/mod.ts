/**
 * The network apps speak over ({@linkcode AppNet}: dial a visor's port, listen on ours), and
 * its dmsg form ({@linkcode dmsgAppNet}). Route groups from the router satisfy the same
 * interface, so an app never knows which network carries it.
 *
 * @module
 */
export type { AppAddr, AppConn, AppDialOptions, AppListener, AppNet } from "./app_net.ts";
export { dmsgAppNet } from "./dmsg_net.ts";
