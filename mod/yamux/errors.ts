/** Base class of every error this module throws or closes a session with. */
export class YamuxError extends Error {
  /** Create the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "YamuxError";
  }
}

/**
 * The peer broke the protocol (bad header, window exceeded, duplicate stream, unexpected FIN).
 * The session answers with GoAway(protocol error) and closes.
 */
export class YamuxProtocolError extends YamuxError {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "YamuxProtocolError";
  }
}

/**
 * The session is closed (or closing). `cause` holds what ended it when it was not a local
 * `close()`: the connection ended, a read failed, or another {@linkcode YamuxError}.
 */
export class SessionClosedError extends YamuxError {
  /** Create the error. */
  constructor(message = "yamux session closed", options?: ErrorOptions) {
    super(message, options);
    this.name = "SessionClosedError";
  }
}

/**
 * The peer sent GoAway. With code 0 (normal) only new streams are refused (`open()` throws this);
 * any other code ends the session with this as the reason.
 */
export class RemoteGoAwayError extends YamuxError {
  /** Create the error for the GoAway `code` the peer sent. */
  constructor(readonly code: number) {
    super(
      code === 0
        ? "remote end is not accepting streams (GoAway)"
        : `remote end closed the session with GoAway code ${code}`,
    );
    this.name = "RemoteGoAwayError";
  }
}

/** The stream was reset: by the peer (RST), locally with `reset()`, or after a close timeout. */
export class StreamResetError extends YamuxError {
  /** Create the error. */
  constructor(message = "yamux stream reset") {
    super(message);
    this.name = "StreamResetError";
  }
}

/** A write on a stream whose write side is already closed (`closeWrite()`/`close()`). */
export class StreamClosedError extends YamuxError {
  /** Create the error. */
  constructor(message = "yamux stream closed for writing") {
    super(message);
    this.name = "StreamClosedError";
  }
}

/** What timed out: a ping answer, a keepalive, a connection write, or a stream open's ACK. */
export type YamuxTimeoutKind = "ping" | "keepalive" | "write" | "open";

/** A yamux timer ran out (see {@linkcode YamuxTimeoutKind}). */
export class YamuxTimeoutError extends YamuxError {
  /** Create the error for the timer `kind` that ran out. */
  constructor(readonly kind: YamuxTimeoutKind, message = `yamux ${kind} timeout`) {
    super(message);
    this.name = "YamuxTimeoutError";
  }
}
