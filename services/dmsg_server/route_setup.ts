/**
 * The setup node inside a dmsg server: `SetupRPCGateway` on dmsg port 36 of the server's own
 * key, reaching each visor of a route on port 136 from that key (straight on the visor's
 * session with this server, else through a peer server). Visors name the server's public key
 * in `routing.route_setup_nodes`; Go's visors accept port-136 calls only from those keys.
 *
 * @module
 */
import type { DmsgServer } from "../../mod/dmsg/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";
import { AWAIT_SETUP_PORT, SETUP_PORT, SetupNode } from "../../mod/route_setup/mod.ts";

/** Start serving route setup on `server`; close the returned node before the server. */
export function serveRouteSetup(server: DmsgServer, options: { logger?: Logger } = {}): SetupNode {
  const node = new SetupNode({
    dial: (pk, signal) => server.dial({ pk, port: AWAIT_SETUP_PORT }, { signal }),
    logger: options.logger,
  });
  node.serve(server.listen(SETUP_PORT));
  options.logger?.info("route setup enabled", { pk: server.pk.hex(), dmsg_port: SETUP_PORT });
  return node;
}
