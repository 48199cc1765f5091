/** What kind of problem a {@linkcode GobError} reports. */
export type GobErrorCode =
  /** Bytes that do not follow the gob grammar (bad varint, bad delta, overrun, bad type id). */
  | "malformed"
  /** The stream ended inside a message. */
  | "eof"
  /** A message, nesting depth or type table beyond the configured limits. */
  | "limit"
  /** The wire type cannot be stored in the described TypeScript type. */
  | "type_mismatch"
  /** A TypeScript value that does not fit its description (encode side). */
  | "invalid_value";

/** A gob encode or decode failure. The decoder throws nothing else on any input. */
export class GobError extends Error {
  /** The kind of failure. */
  readonly code: GobErrorCode;

  /** Create the error. */
  constructor(message: string, code: GobErrorCode = "malformed") {
    super(message);
    this.name = "GobError";
    this.code = code;
  }
}

/** What kind of problem an {@linkcode RpcError} reports. */
export type RpcErrorCode =
  /** The server answered with `Response.Error`; the message is the server's text verbatim. */
  | "server"
  /** The client was closed (Go's `rpc.ErrShutdown`, "connection is shut down"). */
  | "shutdown"
  /** The connection ended or broke while the call was pending. */
  | "connection"
  /** The reply body could not be decoded into the reply type. */
  | "reply"
  /** The caller's `AbortSignal` fired. */
  | "aborted";

/** A net/rpc call failure. */
export class RpcError extends Error {
  /** The kind of failure. */
  readonly code: RpcErrorCode;

  /** Create the error. */
  constructor(message: string, code: RpcErrorCode) {
    super(message);
    this.name = "RpcError";
    this.code = code;
  }
}
