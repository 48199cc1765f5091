import type { PubKey } from "../cipher/mod.ts";
import type { Logger } from "../log/mod.ts";
import { RouteDescriptor, type routingGob } from "../routing/mod.ts";
import { DEFAULT_MAX_HOPS, ROUTE_KEEP_ALIVE_MS } from "./constants.ts";
import { NoRouteError, RouteDialError, RouterError } from "./errors.ts";
import type { RouteConn } from "./route_conn.ts";
import { type PathEdges, pathEdgesKey, type RouteFinder } from "./route_finder_client.ts";
import type { Router } from "./router.ts";
import type { RouteSetup } from "./setup_client.ts";

/** Options for {@linkcode RouteDialer}. */
export interface RouteDialerOptions {
  /** Our router (rules, groups, ports). */
  router: Router;
  /** Finds paths (`routing.route_finder`). */
  routeFinder: RouteFinder;
  /** Installs rules along them (a `SetupClient` on `routing.route_setup_nodes`). */
  setup: RouteSetup;
  /** Default fewest hops (`routing.min_hops`). */
  minHops?: number;
  /** Most hops asked of the route finder (default 50). */
  maxHops?: number;
  /** Rule keep-alive asked for, ms (default 30 s, Go 2024's). */
  keepAliveMs?: number;
  /** How long failing route finder calls are retried, ms (Go: 2 s, every 500 ms). */
  retryMs?: number;
  /** Dial events. */
  logger?: Logger;
}

/** Options of one dial. */
export interface DialRouteOptions {
  /** Fewest hops for this dial (default the dialer's `minHops`). */
  minHops?: number;
  /** Abort the dial. */
  signal?: AbortSignal;
}

/**
 * Dials routes for apps (Go `router.DialRoutes`): reserve an ephemeral route port, ask the route
 * finder for a forward and a reverse path, have the setup node install the rules, then run the
 * route-group handshake as initiator. The result is a {@linkcode RouteConn}; every failure is a
 * {@linkcode RouteDialError} naming its step, and releases the port.
 */
export class RouteDialer {
  readonly #o: RouteDialerOptions;

  /** Create the dialer. */
  constructor(options: RouteDialerOptions) {
    this.#o = options;
  }

  /** A route to app port `port` of visor `pk`. */
  async dial(pk: PubKey, port: number, options: DialRouteOptions = {}): Promise<RouteConn> {
    const us = this.#o.router.pk;
    if (pk.equals(us)) throw new RouterError("cannot dial a route to ourselves");
    return await this.#dial(port, pk, options, async (signal) => {
      const paths = await this.#find([[us, pk], [pk, us]], options, signal);
      return { forward: paths[0][0], reverse: paths[1][0] };
    });
  }

  /**
   * A loop route from us back to our own port `port` through `via` (what `visor ping` measures):
   * the forward and the reverse path each go to `via` and back, so the route always touches it
   * (Go 2024 asks for any loop, which may miss `via`).
   */
  async dialLoop(via: PubKey, port: number, options: DialRouteOptions = {}): Promise<RouteConn> {
    const us = this.#o.router.pk;
    if (via.equals(us)) throw new RouterError("a loop route needs another visor");
    return await this.#dial(port, us, options, async (signal) => {
      const [out, back] = await this.#find([[us, via], [via, us]], options, signal);
      return {
        forward: [...out[0], ...back[0]],
        reverse: [...(out[1] ?? out[0]), ...(back[1] ?? back[0])],
      };
    });
  }

  async #dial(
    port: number,
    dst: PubKey,
    options: DialRouteOptions,
    paths: (
      signal?: AbortSignal,
    ) => Promise<{ forward: routingGob.Hop[]; reverse: routingGob.Hop[] }>,
  ): Promise<RouteConn> {
    const router = this.#o.router;
    const { port: localPort, release } = router.reserveEphemeralPort();
    let edge: routingGob.EdgeRules;
    let found: { forward: routingGob.Hop[]; reverse: routingGob.Hop[] };
    try {
      found = await paths(options.signal);
      const { forward, reverse } = found;
      const desc = RouteDescriptor.create({
        srcPk: router.pk,
        dstPk: dst,
        srcPort: localPort,
        dstPort: port,
      });
      checkPath(forward, router.pk, dst);
      checkPath(reverse, dst, router.pk);
      this.#o.logger?.debug("setting a route up", {
        desc: String(desc),
        forward_hops: forward.length,
        reverse_hops: reverse.length,
      });
      edge = await this.#o.setup.dialRouteGroup({
        Desc: desc.bytes,
        KeepAlive: BigInt(Math.round((this.#o.keepAliveMs ?? ROUTE_KEEP_ALIVE_MS) * 1e6)),
        Forward: forward,
        Reverse: reverse,
      }, options.signal);
    } catch (error) {
      release();
      throw error;
    }
    const conn = await router.openGroup(edge, { releasePort: release });
    conn.paths = found;
    return conn;
  }

  // Paths for each pair, in order; retried while the route finder fails (not on "no route").
  async #find(
    edges: PathEdges[],
    options: DialRouteOptions,
    signal?: AbortSignal,
  ): Promise<routingGob.Hop[][][]> {
    const minHops = options.minHops ?? this.#o.minHops ?? 0;
    const maxHops = Math.max(this.#o.maxHops ?? DEFAULT_MAX_HOPS, minHops);
    const until = performance.now() + (this.#o.retryMs ?? 2_000);
    for (;;) {
      try {
        const found = await this.#o.routeFinder.findRoutes(edges, { minHops, maxHops, signal });
        return edges.map((pair) => {
          const list = found.get(pathEdgesKey(pair));
          if (!list || list.length === 0 || list[0].length === 0) {
            throw new NoRouteError(`no route from ${pair[0].hex()} to ${pair[1].hex()}`);
          }
          return list;
        });
      } catch (error) {
        if (error instanceof NoRouteError || signal?.aborted || performance.now() > until) {
          if (error instanceof RouteDialError) throw error;
          throw new RouteDialError("route_finder", `route finder: ${error}`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }
}

// A path must run from `from` to `to`, each hop starting where the last one ended.
function checkPath(hops: routingGob.Hop[], from: PubKey, to: PubKey): void {
  let at = from;
  for (const hop of hops) {
    if (!hop.From.equals(at)) {
      throw new RouteDialError("route_finder", "route finder gave a path that is not connected");
    }
    at = hop.To;
  }
  if (hops.length === 0 || !at.equals(to)) {
    throw new RouteDialError("route_finder", "route finder gave a path to the wrong visor");
  }
}
