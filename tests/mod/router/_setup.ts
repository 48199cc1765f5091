/**
 * Test stand-ins for the two services a route dial needs: a route finder that searches the
 * test peers' live transports, and a setup node: in process (mod/route_setup's checks and
 * rules, calling the routers directly), or the real `SetupNode` on dmsg port 36.
 */
import type { PubKey } from "../../../mod/cipher/mod.ts";
import type { DmsgClient } from "../../../mod/dmsg/mod.ts";
import { createLogger } from "../../../mod/log/mod.ts";
import {
  type PathEdges,
  pathEdgesKey,
  type RouteFinder,
  type Router,
  type RouteSetup,
} from "../../../mod/router/mod.ts";
import {
  AWAIT_SETUP_PORT,
  checkRoute,
  generateRules,
  reservationCounts,
  SETUP_PORT,
  SetupNode,
} from "../../../mod/route_setup/mod.ts";
import type { RouteId, routingGob } from "../../../mod/routing/mod.ts";
import type { TransportManager } from "../../../mod/transport/mod.ts";

/** Searches simple paths over the transports the given managers hold (both ends up). */
export class TestRouteFinder implements RouteFinder {
  readonly managers: TransportManager[];
  calls = 0;

  constructor(managers: TransportManager[]) {
    this.managers = managers;
  }

  findRoutes(
    edges: PathEdges[],
    options: { minHops?: number; maxHops?: number } = {},
  ): Promise<Map<string, routingGob.Hop[][]>> {
    this.calls++;
    const out = new Map<string, routingGob.Hop[][]>();
    for (const pair of edges) {
      const paths = this.#paths(pair[0], pair[1], options.minHops ?? 0, options.maxHops ?? 50);
      if (paths.length === 0) return Promise.reject(new Error("no route"));
      out.set(pathEdgesKey(pair), paths);
    }
    return Promise.resolve(out);
  }

  #links(from: PubKey): routingGob.Hop[] {
    const manager = this.managers.find((m) => m.localPk.equals(from));
    if (!manager) return [];
    return manager.transports().filter((tp) => tp.isUp).map((tp) => ({
      TpID: tp.id,
      From: from,
      To: tp.remotePk,
    }));
  }

  #paths(src: PubKey, dst: PubKey, minHops: number, maxHops: number): routingGob.Hop[][] {
    const found: routingGob.Hop[][] = [];
    const walk = (at: PubKey, path: routingGob.Hop[], seen: Set<string>) => {
      if (path.length > 0 && at.equals(dst)) {
        if (path.length >= Math.max(minHops, 1)) found.push([...path]);
        return;
      }
      if (path.length >= Math.min(maxHops, 6)) return;
      for (const hop of this.#links(at)) {
        if (seen.has(hop.To.hex()) && !hop.To.equals(dst)) continue;
        seen.add(hop.To.hex());
        walk(hop.To, [...path, hop], seen);
        seen.delete(hop.To.hex());
      }
    };
    walk(src, [], new Set([src.hex()]));
    return found.sort((a, b) => a.length - b.length);
  }
}

/** A setup node in process: Go's steps (mod/route_setup's rules), calling the routers directly. */
export class TestSetup implements RouteSetup {
  readonly routers = new Map<string, Router>();
  calls = 0;

  dialRouteGroup(route: routingGob.BidirectionalRoute): Promise<routingGob.EdgeRules> {
    this.calls++;
    try {
      const desc = checkRoute(route);
      const reserved = new Map<string, RouteId[]>();
      for (const [hex, n] of reservationCounts(route)) {
        reserved.set(hex, this.#router(hex).reserveIds(n));
      }
      const rules = generateRules(route, desc, reserved);
      for (const { pk, rules: list } of rules.intermediaries) {
        this.#router(pk.hex()).addIntermediaryRules(list);
      }
      this.#router(desc.dstPkHex).introduceEdgeRules(rules.responder);
      return Promise.resolve(rules.initiator);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #router(hex: string): Router {
    const router = this.routers.get(hex);
    if (!router) throw new Error(`no router ${hex}`);
    return router;
  }
}

/** mod/route_setup's SetupNode on dmsg port 36 of `dmsg`; returns a function that stops it. */
export function serveTestSetupNode(dmsg: DmsgClient): () => Promise<void> {
  const node = new SetupNode({
    dial: (pk: PubKey, signal) => dmsg.dialStream({ pk, port: AWAIT_SETUP_PORT }, { signal }),
    logger: createLogger({ level: "fatal" }),
  });
  const serving = node.serve(dmsg.listen(SETUP_PORT));
  return async () => {
    await node.close();
    await serving;
  };
}
