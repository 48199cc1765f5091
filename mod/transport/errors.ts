/** Base class of every error `mod/transport` throws for a failed protocol step or bad input. */
export class TransportError extends Error {
  /** Create the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TransportError";
  }
}

/** Bytes from the peer that do not form the frame the protocol expects at this point. */
export class MalformedFrameError extends TransportError {
  /** Create the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "MalformedFrameError";
  }
}

/** A transport entry or signed entry that cannot be decoded, or fails its checks. */
export class TransportEntryError extends TransportError {
  /** Create the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TransportEntryError";
  }
}

/** Where a network handshake failed. */
export type NetworkHandshakeStep =
  | "get_nonce"
  | "nonce"
  | "frame2"
  | "verify"
  | "port"
  | "result"
  | "encrypt"
  | "timeout";

/**
 * The network handshake (`get_nonce` → nonce → signed Frame2 → OK) or the Noise wrap after it
 * failed. The connection has been closed. `remoteMessage` is the responder's `ErrMsg` when it
 * refused us.
 */
export class NetworkHandshakeError extends TransportError {
  /** The step that failed. */
  readonly step: NetworkHandshakeStep;
  /** The responder's reason, when it sent `{"OK":false,...}`. */
  readonly remoteMessage?: string;

  /** Create the error. */
  constructor(
    step: NetworkHandshakeStep,
    message: string,
    options?: ErrorOptions & { remoteMessage?: string },
  ) {
    // Go prefixes every handshake error the same way; keep it so logs read alike.
    super(`handshake failed: ${message}`, options);
    this.name = "NetworkHandshakeError";
    this.step = step;
    this.remoteMessage = options?.remoteMessage;
  }
}

/** Where a settlement handshake failed. */
export type SettlementStep = "write" | "read" | "entry" | "sign" | "result" | "timeout";

/**
 * The settlement handshake (signed entry, countersignature, one-byte result) failed. The
 * connection has been closed. `result` is the byte the responder answered, when it refused.
 */
export class SettlementError extends TransportError {
  /** The step that failed. */
  readonly step: SettlementStep;
  /** The responder's result byte, if it sent one other than OK. */
  readonly result?: number;

  /** Create the error. */
  constructor(
    step: SettlementStep,
    message: string,
    options?: ErrorOptions & { result?: number },
  ) {
    super(`settlement handshake failed: ${message}`, options);
    this.name = "SettlementError";
    this.step = step;
    this.result = options?.result;
  }
}

/** The transport, network or manager is closed. */
export class TransportClosedError extends TransportError {
  /** Create the error. */
  constructor(what = "transport", options?: ErrorOptions) {
    super(`${what} is closed`, options);
    this.name = "TransportClosedError";
  }
}

/** A packet could not be written: the transport has no connection at the moment. */
export class TransportDownError extends TransportError {
  /** Create the error. */
  constructor(id: string, options?: ErrorOptions) {
    super(`transport ${id} has no connection`, options);
    this.name = "TransportDownError";
  }
}

/** A transport ping got no pong in time. */
export class PingTimeoutError extends TransportError {
  /** Create the error. */
  constructor(timeoutMs: number) {
    super(`transport ping: no pong within ${timeoutMs} ms`);
    this.name = "PingTimeoutError";
  }
}

/** No network of this transport type is configured. */
export class UnknownNetworkError extends TransportError {
  /** Create the error. */
  constructor(type: string) {
    super(`unknown network type "${type}"`);
    this.name = "UnknownNetworkError";
  }
}

/** The peer's network address is unknown (not in the stcp table, not resolvable). */
export class AddressNotFoundError extends TransportError {
  /** Create the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AddressNotFoundError";
  }
}
