/**
 * The rules of a route (Go `GenerateRules` and the edge rules of `CreateRouteGroup`): for each
 * direction a Forward rule at its first visor, an IntermediaryForward rule at every later hop,
 * and a Consume rule at its last visor, chained by the route ids the visors reserved.
 *
 * @module
 */
import type { PubKey } from "../cipher/mod.ts";
import { RouteDescriptor, type RouteId, type routingGob, Rule } from "../routing/mod.ts";
import { RouteSetupError } from "./errors.ts";

/** The rules to hand out for one route. */
export interface RouteRules {
  /** The source visor's edge rules: the reply to `DialRouteGroup`. */
  initiator: routingGob.EdgeRules;
  /** The destination visor's edge rules (`AddEdgeRules`). */
  responder: routingGob.EdgeRules;
  /** IntermediaryForward rules, one `AddIntermediaryRules` call per entry. */
  intermediaries: Array<{ pk: PubKey; rules: Uint8Array[] }>;
}

// Go groups rules by "pk:port" (routing.Addr), the port being the route's own port at its
// edges and 0 elsewhere; keeping that grouping keeps loop routes (A→B→A) as Go builds them.
function addrKey(pkHex: string, port: number): string {
  return `${pkHex}:${port}`;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Build the rules of `route` (already checked, `desc` its descriptor) from the ids each visor
 * reserved (`reserved`, by public key hex, consumed in Go's order). Throws
 * {@linkcode RouteSetupError} (`reserve`) when a visor reserved too few.
 */
export function generateRules(
  route: routingGob.BidirectionalRoute,
  desc: RouteDescriptor,
  reserved: Map<string, RouteId[]>,
): RouteRules {
  const pools = new Map([...reserved].map(([hex, ids]) => [hex, [...ids]]));
  const pop = (pk: PubKey): RouteId => {
    const id = pools.get(pk.hex())?.shift();
    // Go's ErrNoKey text.
    if (id === undefined) throw new RouteSetupError("reserve", "id reservoir has no key");
    return id;
  };
  const forward = new Map<string, Uint8Array[]>();
  const consume = new Map<string, Uint8Array[]>();
  const intermediary = new Map<string, { pk: PubKey; rules: Uint8Array[] }>();
  const keepAliveNs = route.KeepAlive;
  for (
    const [routeDesc, hops] of [[desc, route.Forward], [desc.invert(), route.Reverse]] as const
  ) {
    let id = pop(hops[0].From);
    hops.forEach((hop, i) => {
      const next = pop(hop.To);
      const from = hop.From.hex();
      let port = 0;
      if (routeDesc.dstPkHex === from) port = routeDesc.dstPort;
      if (routeDesc.srcPkHex === from) port = routeDesc.srcPort;
      const key = addrKey(from, port);
      const common = { keepAliveNs, keyRouteId: id, nextRouteId: next, nextTransportId: hop.TpID };
      if (i === 0) {
        push(forward, key, Rule.forward({ ...common, descriptor: routeDesc }).bytes);
      } else {
        let group = intermediary.get(key);
        if (!group) intermediary.set(key, group = { pk: hop.From, rules: [] });
        group.rules.push(Rule.intermediaryForward(common).bytes);
      }
      id = next;
    });
    const rule = Rule.consume({ keepAliveNs, keyRouteId: id, descriptor: routeDesc });
    push(consume, addrKey(routeDesc.dstPkHex, routeDesc.dstPort), rule.bytes);
  }
  const srcKey = addrKey(desc.srcPkHex, desc.srcPort);
  const dstKey = addrKey(desc.dstPkHex, desc.dstPort);
  const edge = (descBytes: Uint8Array, key: string): routingGob.EdgeRules => ({
    Desc: descBytes,
    Forward: forward.get(key)![0],
    Reverse: consume.get(key)![0],
  });
  return {
    initiator: edge(desc.invert().bytes, srcKey),
    responder: edge(desc.bytes, dstKey),
    intermediaries: [...intermediary.values()],
  };
}
