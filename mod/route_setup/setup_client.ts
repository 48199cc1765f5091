/**
 * A visor's call to a setup node (Go `router.SetupClient.DialRouteGroup`): one
 * `SetupRPCGateway.DialRouteGroup` on a stream to the node's dmsg port 36, answered with the
 * calling visor's own edge rules.
 *
 * @module
 */
import type { ByteStream } from "../conn/mod.ts";
import { RpcClient } from "../gob/mod.ts";
import { routingGob } from "../routing/mod.ts";
import { SETUP_RPC_NAME } from "./constants.ts";

/** Options for {@linkcode dialRouteGroup}. */
export interface DialRouteGroupOptions {
  /** Gives up waiting (the call fails with an `RpcError` `aborted`). */
  signal?: AbortSignal;
}

/**
 * Ask the setup node at the other end of `stream` to set up `route`; resolves the initiator's
 * edge rules. The stream is closed when the call ends, on every path. A refusal rejects with
 * an `RpcError` (`server`) carrying the node's text.
 */
export async function dialRouteGroup(
  stream: ByteStream,
  route: routingGob.BidirectionalRoute,
  options: DialRouteGroupOptions = {},
): Promise<routingGob.EdgeRules> {
  const rpc = new RpcClient(stream);
  try {
    return await rpc.call(`${SETUP_RPC_NAME}.DialRouteGroup`, {
      args: route,
      argsType: routingGob.BidirectionalRoute,
      replyType: routingGob.EdgeRules,
      signal: options.signal,
    });
  } finally {
    await rpc.close();
  }
}
