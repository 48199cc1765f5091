import type { RouteDialer, Router } from "../router/mod.ts";
import type { AppNet } from "./app_net.ts";

/** The parts of a visor's routing an {@linkcode AppNet} over routes needs. */
export interface RouteNetParts {
  /** Dials route groups (route finder, setup node, handshake). */
  dialer: Pick<RouteDialer, "dial">;
  /** Hands over route groups dialed to our ports. */
  router: Pick<Router, "listen">;
}

/**
 * An {@linkcode AppNet} over route groups (Go `appnet.TypeSkynet`, the network Go's apps use):
 * a dial sets a route up to the visor's port (`minHops` passed on), a listener takes the route
 * groups dialed to one of our route ports.
 */
export function routeAppNet(parts: RouteNetParts): AppNet {
  return {
    dial: (pk, port, options = {}) => parts.dialer.dial(pk, port, options),
    listen: (port) => parts.router.listen(port),
  };
}
