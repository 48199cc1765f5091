/** Base class of the errors this module throws. */
export class Socks5Error extends Error {
  /** Create the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "Socks5Error";
  }
}

/**
 * The peer sent bytes that are not SOCKS5 (wrong version, a field out of range) or ended in
 * the middle of a message. The connection is closed without a reply unless the RFC names one.
 */
export class Socks5ProtocolError extends Socks5Error {
  /** Create the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "Socks5ProtocolError";
  }
}

/** The peer did not finish a message within the handshake limit; the stream was closed. */
export class Socks5TimeoutError extends Socks5Error {
  /** Create the error; `what` names what was being read. */
  constructor(what: string) {
    super(`timed out reading the SOCKS5 ${what}`);
    this.name = "Socks5TimeoutError";
  }
}

/** The proxy answered a request with a failure reply (`code` is the RFC 1928 reply code). */
export class Socks5ReplyError extends Socks5Error {
  /** Create the error for reply `code`. */
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = "Socks5ReplyError";
  }
}
