import type { PubKey } from "../cipher/mod.ts";
import type { ByteStream } from "../conn/mod.ts";
import type { Logger } from "../log/mod.ts";
import { dialRouteGroup, SETUP_PORT } from "../route_setup/mod.ts";
import type { routingGob } from "../routing/mod.ts";
import { SETUP_TIMEOUT_MS } from "./constants.ts";
import { RouteDialError } from "./errors.ts";

/** Whatever sets a route up: the edge rules for us, after the others got theirs. */
export interface RouteSetup {
  /** Set `route` up; resolves to the initiating edge's rules. */
  dialRouteGroup(
    route: routingGob.BidirectionalRoute,
    signal?: AbortSignal,
  ): Promise<routingGob.EdgeRules>;
}

/** How the setup client reaches a setup node (a `DmsgClient` fits). */
export interface SetupDialer {
  /** Open a stream to `pk` on `port`. */
  dialStream(addr: { pk: PubKey; port: number }, options?: { signal?: AbortSignal }): Promise<
    ByteStream
  >;
}

/** Options for {@linkcode SetupClient}. */
export interface SetupClientOptions {
  /** Reaches the setup nodes over dmsg. */
  dialer: SetupDialer;
  /** Setup nodes, tried in order (config `routing.route_setup_nodes`). */
  setupNodes: PubKey[];
  /** Limit of one setup, dial included, ms (default 30 s). */
  timeoutMs?: number;
  /** Failed dials. */
  logger?: Logger;
}

/**
 * The visor's client of a setup node (Go `SetupClient`): dial the first setup node that
 * answers on dmsg port 36 and call `SetupRPCGateway.DialRouteGroup`. One stream per setup,
 * closed after the answer. Throws {@linkcode RouteDialError} (`setup_node`) with the node's
 * error text.
 */
export class SetupClient implements RouteSetup {
  readonly #o: SetupClientOptions;

  /** Create the client. */
  constructor(options: SetupClientOptions) {
    this.#o = options;
  }

  /** {@inheritDoc RouteSetup.dialRouteGroup} */
  async dialRouteGroup(
    route: routingGob.BidirectionalRoute,
    signal?: AbortSignal,
  ): Promise<routingGob.EdgeRules> {
    const limit = AbortSignal.timeout(this.#o.timeoutMs ?? SETUP_TIMEOUT_MS);
    const abort = signal ? AbortSignal.any([signal, limit]) : limit;
    const stream = await this.#dial(abort);
    try {
      return await dialRouteGroup(stream, route, { signal: abort });
    } catch (cause) {
      const why = limit.aborted ? "timed out" : (cause as Error).message;
      throw new RouteDialError("setup_node", `setup node: ${why}`, { cause });
    }
  }

  async #dial(signal: AbortSignal): Promise<ByteStream> {
    if (this.#o.setupNodes.length === 0) {
      throw new RouteDialError("setup_node", "no route setup nodes configured");
    }
    let last: unknown;
    for (const pk of this.#o.setupNodes) {
      try {
        return await this.#o.dialer.dialStream({ pk, port: SETUP_PORT }, { signal });
      } catch (error) {
        last = error;
        this.#o.logger?.warn("failed to dial a setup node", { pk: pk.hex(), error: String(error) });
        if (signal.aborted) break;
      }
    }
    throw new RouteDialError("setup_node", "failed to dial to a setup node", { cause: last });
  }
}
