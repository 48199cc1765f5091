/**
 * Test stand-ins for the two services a route dial needs: a route finder that searches the
 * test peers' live transports, and a setup node that runs Go's `CreateRouteGroup` steps
 * (reserve ids, generate rules, intermediary rules, the destination's edge rules) by calling
 * the routers directly. The RPC ends are tested on their own (rpc_gateway_test.ts).
 */
import type { PubKey } from "../../../mod/cipher/mod.ts";
import type { DmsgClient } from "../../../mod/dmsg/mod.ts";
import { rpcMethod, RpcServer } from "../../../mod/gob/mod.ts";
import { createLogger } from "../../../mod/log/mod.ts";
import {
  type PathEdges,
  pathEdgesKey,
  type RouteFinder,
  type Router,
  ROUTER_RPC_PORT,
  RouterClient,
  type RouteSetup,
  SETUP_NODE_PORT,
  SETUP_RPC_SERVICE,
} from "../../../mod/router/mod.ts";
import { RouteDescriptor, type RouteId, routingGob, Rule } from "../../../mod/routing/mod.ts";
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

/** Go's setup-node steps, calling the routers in process. */
export class TestSetup implements RouteSetup {
  readonly routers: Map<string, Router>;
  calls = 0;

  constructor(routers: Router[]) {
    this.routers = new Map(routers.map((r) => [r.pk.hex(), r]));
  }

  dialRouteGroup(route: routingGob.BidirectionalRoute): Promise<routingGob.EdgeRules> {
    this.calls++;
    return createRouteGroup(route, (pk) => {
      const router = this.#router(pk);
      return {
        reserveIds: (n) => router.reserveIds(n),
        addIntermediaryRules: (rules) => router.addIntermediaryRules(rules),
        addEdgeRules: (edge) => router.introduceEdgeRules(edge),
      };
    });
  }

  #router(pk: PubKey): Router {
    const router = this.routers.get(pk.hex());
    if (!router) throw new Error(`no router ${pk.hex()}`);
    return router;
  }
}

/** What the setup steps call on each visor: a router in process, or a `RouterClient`. */
export interface HopApi {
  reserveIds(n: number): RouteId[] | Promise<RouteId[]>;
  addIntermediaryRules(rules: Uint8Array[]): unknown;
  addEdgeRules(edge: routingGob.EdgeRules): unknown;
}

/** Go `CreateRouteGroup`; returns the initiator's edge rules. */
export async function createRouteGroup(
  route: routingGob.BidirectionalRoute,
  routerOf: (pk: PubKey) => HopApi,
): Promise<routingGob.EdgeRules> {
  const desc = RouteDescriptor.fromBytes(route.Desc);
  const paths = [route.Forward, route.Reverse];
  const counts = new Map<string, { pk: PubKey; n: number }>();
  const need = (pk: PubKey) => {
    const entry = counts.get(pk.hex()) ?? { pk, n: 0 };
    entry.n++;
    counts.set(pk.hex(), entry);
  };
  for (const hops of paths) {
    need(hops[0].From);
    for (const hop of hops) need(hop.To);
  }
  const ids = new Map<string, RouteId[]>();
  for (const [hex, { pk, n }] of counts) ids.set(hex, [...await routerOf(pk).reserveIds(n)]);
  const pop = (pk: PubKey) => ids.get(pk.hex())!.shift()!;
  const keepAliveNs = route.KeepAlive;
  const fwd = new Map<string, Rule[]>(), rev = new Map<string, Rule[]>();
  const inter = new Map<string, { pk: PubKey; rules: Rule[] }>();
  const add = (map: Map<string, Rule[]>, key: string, rule: Rule) =>
    map.set(key, [...(map.get(key) ?? []), rule]);
  for (const [index, hops] of paths.entries()) {
    const d = index === 0 ? desc : desc.invert();
    let rid = pop(hops[0].From);
    for (const [i, hop] of hops.entries()) {
      const next = pop(hop.To);
      let port = 0;
      if (hop.From.hex() === d.dstPkHex) port = d.dstPort;
      if (hop.From.hex() === d.srcPkHex) port = d.srcPort;
      if (i === 0) {
        add(
          fwd,
          `${hop.From.hex()}:${port}`,
          Rule.forward({
            keepAliveNs,
            keyRouteId: rid,
            nextRouteId: next,
            nextTransportId: hop.TpID,
            descriptor: d,
          }),
        );
      } else {
        const entry = inter.get(hop.From.hex()) ?? { pk: hop.From, rules: [] };
        entry.rules.push(Rule.intermediaryForward({
          keepAliveNs,
          keyRouteId: rid,
          nextRouteId: next,
          nextTransportId: hop.TpID,
        }));
        inter.set(hop.From.hex(), entry);
      }
      rid = next;
    }
    add(
      rev,
      `${d.dstPkHex}:${d.dstPort}`,
      Rule.consume({ keepAliveNs, keyRouteId: rid, descriptor: d }),
    );
  }
  const src = `${desc.srcPkHex}:${desc.srcPort}`, dst = `${desc.dstPkHex}:${desc.dstPort}`;
  for (const { pk, rules } of inter.values()) {
    await routerOf(pk).addIntermediaryRules(rules.map((r) => r.bytes));
  }
  await routerOf(desc.dstPk).addEdgeRules({
    Desc: desc.bytes,
    Forward: fwd.get(dst)![0].bytes,
    Reverse: rev.get(dst)![0].bytes,
  });
  return {
    Desc: desc.invert().bytes,
    Forward: fwd.get(src)![0].bytes,
    Reverse: rev.get(src)![0].bytes,
  };
}

/**
 * A setup node on dmsg port 36 for tests: `SetupRPCGateway.DialRouteGroup` runs
 * {@linkcode createRouteGroup} against each hop's `RPCGateway` on port 136, over dmsg.
 * Returns a function that stops it.
 */
export function serveTestSetupNode(dmsg: DmsgClient): () => Promise<void> {
  const listener = dmsg.listen(SETUP_NODE_PORT);
  const server = new RpcServer({ logger: createLogger({ level: "fatal" }) });
  server.register(SETUP_RPC_SERVICE, {
    DialRouteGroup: rpcMethod(
      routingGob.BidirectionalRoute,
      routingGob.EdgeRules,
      async (route) => {
        const clients = new Map<string, RouterClient>();
        const hop = async (pk: PubKey) => {
          let client = clients.get(pk.hex());
          if (!client) {
            client = new RouterClient(await dmsg.dialStream({ pk, port: ROUTER_RPC_PORT }));
            clients.set(pk.hex(), client);
          }
          return client;
        };
        try {
          return await createRouteGroup(route, (pk) => ({
            reserveIds: async (n) => await (await hop(pk)).reserveIds(n),
            addIntermediaryRules: async (rules) =>
              await (await hop(pk)).addIntermediaryRules(rules),
            addEdgeRules: async (edge) => await (await hop(pk)).addEdgeRules(edge),
          }));
        } finally {
          await Promise.all([...clients.values()].map((c) => c.close()));
        }
      },
    ),
  });
  const loop = (async () => {
    for await (const stream of listener) server.serve(stream);
  })();
  return async () => {
    listener.close();
    await server.close();
    await loop;
  };
}
