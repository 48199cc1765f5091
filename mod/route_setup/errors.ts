/** What kind of problem a {@linkcode RouteSetupError} reports. */
export type RouteSetupErrorCode =
  /** The route fails Go's `BidirectionalRoute.Check` or our bounds. */
  | "invalid_route"
  /** A hop's visor could not be dialed on dmsg port 136. */
  | "dial"
  /** A hop refused, failed or mis-answered `ReserveIDs`. */
  | "reserve"
  /** A hop refused or failed `AddIntermediaryRules` / `AddEdgeRules`. */
  | "rules"
  /** A hop or the whole request ran out of time. */
  | "timeout"
  /** The setup node is closing, or the caller went away. */
  | "closed"
  /** A cascade (source-driven) request: not implemented by this setup node. */
  | "cascade_unsupported";

/**
 * A route set-up failure. Its message is what the requesting visor reads (net/rpc carries
 * only the text); the code is for our own callers and counters.
 */
export class RouteSetupError extends Error {
  /** The kind of failure. */
  readonly code: RouteSetupErrorCode;

  /** Create the error. */
  constructor(code: RouteSetupErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RouteSetupError";
    this.code = code;
  }
}
