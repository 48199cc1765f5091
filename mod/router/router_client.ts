import type { ByteStream } from "../conn/mod.ts";
import { go, RpcClient } from "../gob/mod.ts";
import { type RouteId, routingGob } from "../routing/mod.ts";
import { ROUTER_RPC_SERVICE } from "./rpc_gateway.ts";

/**
 * A setup node's client of one visor's `RPCGateway` (Go `router.Client`), over a stream to the
 * visor's dmsg port 136. Every call takes an optional `signal`; errors are the gob RPC's
 * `RpcError` with the visor's text (`failure code N (msg)` from Go and from us).
 */
export class RouterClient {
  readonly #rpc: RpcClient;

  /** Speak RPC on `stream` (owned from now on). */
  constructor(stream: ByteStream) {
    this.#rpc = new RpcClient(stream);
  }

  /** Reserve `n` (≤ 255) route ids. */
  reserveIds(n: number, signal?: AbortSignal): Promise<RouteId[]> {
    return this.#rpc.call(`${ROUTER_RPC_SERVICE}.ReserveIDs`, {
      args: n,
      argsType: go.uint8,
      replyType: routingGob.RouteIDs,
      signal,
    });
  }

  /** Install IntermediaryForward rules (binary, see `Rule`). */
  addIntermediaryRules(rules: Uint8Array[], signal?: AbortSignal): Promise<boolean> {
    return this.#rpc.call(`${ROUTER_RPC_SERVICE}.AddIntermediaryRules`, {
      args: rules,
      argsType: routingGob.Rules,
      replyType: go.bool,
      signal,
    });
  }

  /** Hand the destination its edge rules. */
  addEdgeRules(rules: routingGob.EdgeRules, signal?: AbortSignal): Promise<boolean> {
    return this.#rpc.call(`${ROUTER_RPC_SERVICE}.AddEdgeRules`, {
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
