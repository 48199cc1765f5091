/**
 * Malformed HTTP from the peer: a bad request or status line, a bad header, a bad chunk, a head
 * too large, or the stream ending inside a message. `status` is what a server answers with
 * before it closes the stream (400, 431, 501 or 505).
 */
export class HttpParseError extends Error {
  /** The HTTP status a server sends for this error. */
  readonly status: number;

  /** Create the error. */
  constructor(message: string, status = 400) {
    super(message);
    this.name = "HttpParseError";
    this.status = status;
  }
}

/** The peer sent nothing (or made no progress) for longer than the configured limit. */
export class HttpTimeoutError extends Error {
  /** Create the error; `what` names the limit that ran out. */
  constructor(what: string) {
    super(`${what} timed out`);
    this.name = "HttpTimeoutError";
  }
}

/** A `dmsg://` URL that cannot be used (scheme, public key, port). */
export class DmsgUrlError extends TypeError {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "DmsgUrlError";
  }
}
