/**
 * The setup node's side of a visor router's RPC (Go `router.Client`): `RPCGateway.ReserveIDs`,
 * `AddIntermediaryRules` and `AddEdgeRules`, gob net/rpc over a stream to dmsg port 136.
 *
 * @module
 */
import type { ByteStream } from "../conn/mod.ts";
import { go, RpcClient, type RpcClientOptions } from "../gob/mod.ts";
import { type RouteId, routingGob } from "../routing/mod.ts";
import { ROUTER_RPC_NAME } from "./constants.ts";

/** A router RPC client over one stream (it owns the stream). */
export class RouterClient {
  readonly #rpc: RpcClient;

  /** Start the client on `stream` (options as for `RpcClient`, e.g. a shared type table). */
  constructor(stream: ByteStream, options: RpcClientOptions = {}) {
    this.#rpc = new RpcClient(stream, options);
  }

  /** Reserve `n` (≤ 255) route ids on the visor. */
  reserveIds(n: number, signal?: AbortSignal): Promise<RouteId[]> {
    return this.#rpc.call(`${ROUTER_RPC_NAME}.ReserveIDs`, {
      args: n,
      argsType: go.uint8,
      replyType: routingGob.RouteIDs,
      signal,
    });
  }

  /** Save intermediary rules; the visor answers whether it did. */
  addIntermediaryRules(rules: Uint8Array[], signal?: AbortSignal): Promise<boolean> {
    return this.#rpc.call(`${ROUTER_RPC_NAME}.AddIntermediaryRules`, {
      args: rules,
      argsType: routingGob.Rules,
      replyType: go.bool,
      signal,
    });
  }

  /** Give the visor its edge rules (it opens its end of the route group). */
  addEdgeRules(rules: routingGob.EdgeRules, signal?: AbortSignal): Promise<boolean> {
    return this.#rpc.call(`${ROUTER_RPC_NAME}.AddEdgeRules`, {
      args: rules,
      argsType: routingGob.EdgeRules,
      replyType: go.bool,
      signal,
    });
  }

  /** Close the stream; pending calls fail. */
  close(): Promise<void> {
    return this.#rpc.close();
  }
}
