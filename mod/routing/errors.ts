/** Base class of every error this module throws on bad input or exhausted resources. */
export class RoutingError extends Error {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "RoutingError";
  }
}

/** The bytes (or the stream) ended before a whole packet header and payload arrived. */
export class TruncatedPacketError extends RoutingError {
  /** Create the error; `have` and `want` are byte counts. */
  constructor(readonly have: number, readonly want: number) {
    super(`truncated packet: have ${have} bytes, want ${want}`);
    this.name = "TruncatedPacketError";
  }
}

/** A payload does not fit in a packet's uint16 length field. */
export class PayloadTooLargeError extends RoutingError {
  /** Create the error for a payload of `size` bytes. */
  constructor(readonly size: number) {
    super(`packet payload of ${size} bytes exceeds 65535`);
    this.name = "PayloadTooLargeError";
  }
}

/** A packet type this module has no name for (see `assertKnownPacketType`). */
export class UnknownPacketTypeError extends RoutingError {
  /** Create the error for type byte `type`. */
  constructor(readonly type: number) {
    super(`unknown packet type ${type}`);
    this.name = "UnknownPacketTypeError";
  }
}

/** A packet payload does not have the structure its type requires. */
export class MalformedPayloadError extends RoutingError {
  /** Create the error with a message naming the payload and what is wrong. */
  constructor(message: string) {
    super(message);
    this.name = "MalformedPayloadError";
  }
}

/** Rule bytes are too short, of an unknown type, or asked for a field their type lacks. */
export class InvalidRuleError extends RoutingError {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "InvalidRuleError";
  }
}

/** Route descriptor bytes of the wrong size, or a public key in them that is not on the curve. */
export class InvalidRouteDescriptorError extends RoutingError {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "InvalidRouteDescriptorError";
  }
}

/** A field value outside its wire range (route id, port, type byte, keep-alive, uuid text). */
export class InvalidFieldError extends RoutingError {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "InvalidFieldError";
  }
}

/** No free route ids are left to reserve. */
export class RouteIdsExhaustedError extends RoutingError {
  /** Create the error for a request of `requested` ids. */
  constructor(readonly requested: number) {
    super(`no free route ids for a reservation of ${requested}`);
    this.name = "RouteIdsExhaustedError";
  }
}
