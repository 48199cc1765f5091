/**
 * The checks a route must pass before a setup node dials anyone: Go's
 * `BidirectionalRoute.Check` (both directions present, edges matching the descriptor), plus
 * ours: hops chain, no null keys, bounded length.
 *
 * @module
 */
import type { routingGob } from "../routing/mod.ts";
import { RouteDescriptor, RoutingError } from "../routing/mod.ts";
import { MAX_ROUTE_HOPS } from "./constants.ts";
import { RouteSetupError } from "./errors.ts";

type Hop = routingGob.Hop;

/** Go's texts for the three `Check` failures (`pkg/routing/route.go`). */
export const ROUTE_CHECK_ERRORS = {
  noForward: "bidirectional route does not have forward hops",
  noReverse: "bidirectional route does not have reverse hops",
  invalidDesc: "bidirectional route has an invalid route description",
} as const;

function invalid(message: string): RouteSetupError {
  return new RouteSetupError("invalid_route", message);
}

function checkPath(hops: Hop[], name: string): void {
  if (hops.length > MAX_ROUTE_HOPS) {
    throw invalid(`${name} path has ${hops.length} hops, more than ${MAX_ROUTE_HOPS}`);
  }
  hops.forEach((hop, i) => {
    if (hop.From.isNull() || hop.To.isNull()) throw invalid(`${name} hop ${i} has a null key`);
    if (i > 0 && !hops[i - 1].To.equals(hop.From)) {
      throw invalid(`${name} hop ${i} does not start where hop ${i - 1} ends`);
    }
  });
}

/**
 * How many route ids each visor of `route` must reserve, by public key hex: one for the first
 * hop's start and one for every hop's end, over both directions (Go `NewIDReserver`).
 */
export function reservationCounts(route: routingGob.BidirectionalRoute): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (hex: string) => counts.set(hex, (counts.get(hex) ?? 0) + 1);
  for (const hops of [route.Forward, route.Reverse]) {
    if (hops.length === 0) continue;
    add(hops[0].From.hex());
    for (const hop of hops) add(hop.To.hex());
  }
  return counts;
}

/**
 * Check `route` and return its descriptor. Throws {@linkcode RouteSetupError}
 * (`invalid_route`) with Go's text for Go's checks and ours for the others.
 */
export function checkRoute(route: routingGob.BidirectionalRoute): RouteDescriptor {
  if (route.Forward.length === 0) throw invalid(ROUTE_CHECK_ERRORS.noForward);
  if (route.Reverse.length === 0) throw invalid(ROUTE_CHECK_ERRORS.noReverse);
  let desc: RouteDescriptor;
  try {
    desc = RouteDescriptor.fromBytes(route.Desc);
  } catch (error) {
    if (error instanceof RoutingError) throw invalid(ROUTE_CHECK_ERRORS.invalidDesc);
    throw error;
  }
  const src = desc.srcPkHex, dst = desc.dstPkHex;
  if (route.Forward[0].From.hex() !== src || route.Reverse.at(-1)!.To.hex() !== src) {
    throw invalid(ROUTE_CHECK_ERRORS.invalidDesc);
  }
  if (route.Reverse[0].From.hex() !== dst || route.Forward.at(-1)!.To.hex() !== dst) {
    throw invalid(ROUTE_CHECK_ERRORS.invalidDesc);
  }
  checkPath(route.Forward, "forward");
  checkPath(route.Reverse, "reverse");
  return desc;
}
