import { MAX_ROUTE_ID } from "./constants.ts";
import { InvalidFieldError } from "./errors.ts";

/**
 * A route id: a uint32 naming a rule in one visor's routing table (Go `routing.RouteID`). Route id
 * 0 is never reserved; transport-level packets (TransportPing, CascadeSetup, …) carry it.
 */
export type RouteId = number;

/** Whether `value` is an integer in the uint32 range. */
export function isRouteId(value: unknown): value is RouteId {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 &&
    value <= MAX_ROUTE_ID;
}

/** Throw {@linkcode InvalidFieldError} unless `value` is a uint32; `what` names the field. */
export function assertRouteId(value: unknown, what = "route id"): asserts value is RouteId {
  if (!isRouteId(value)) throw new InvalidFieldError(`${what} must be a uint32, got ${value}`);
}
