import type { FailureCode } from "./constants.ts";

/** Base class of every error `mod/router` throws. */
export class RouterError extends Error {
  /** Create the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RouterError";
  }
}

/** The route group (or the router) is closed; reads end and writes fail with this. */
export class RouteGroupClosedError extends RouterError {
  /** Create the error; `reason` says who closed it. */
  constructor(reason = "route group is closed", options?: ErrorOptions) {
    super(reason, options);
    this.name = "RouteGroupClosedError";
  }
}

/** Edge or intermediary rules that cannot be installed (wrong types, missing transport, …). */
export class InvalidRulesError extends RouterError {
  /** Create the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "InvalidRulesError";
  }
}

/**
 * A route dial failed: at the route finder, the setup node, or the route-group handshake.
 * (What a setup node reports about its own steps is `mod/route_setup`'s `RouteSetupError`.)
 */
export class RouteDialError extends RouterError {
  /** Which step failed. */
  readonly step: "route_finder" | "setup_node" | "handshake";

  /** Create the error for `step`. */
  constructor(step: RouteDialError["step"], message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RouteDialError";
    this.step = step;
  }
}

/** The route finder found no route (it answered 404, Go `ErrTransportNotFound`). */
export class NoRouteError extends RouteDialError {
  /** Create the error. */
  constructor(message = "transport not found", options?: ErrorOptions) {
    super("route_finder", message, options);
    this.name = "NoRouteError";
  }
}

/**
 * A routing failure as Go's RPC gateway reports it (`routing.Failure`): the RPC error text is
 * `failure code N (msg)`, which is what {@linkcode RoutingFailure.message} holds.
 */
export class RoutingFailure extends RouterError {
  /** The failure code. */
  readonly code: FailureCode;
  /** The cause's text. */
  readonly msg: string;

  /** Create the failure. */
  constructor(code: FailureCode, msg: string, options?: ErrorOptions) {
    super(`failure code ${code} (${msg})`, options);
    this.name = "RoutingFailure";
    this.code = code;
    this.msg = msg;
  }
}
