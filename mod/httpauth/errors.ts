/** An authentication header that is missing or malformed; the message is Go's. */
export class AuthHeaderError extends Error {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "AuthHeaderError";
  }
}

/** Options for {@linkcode HttpAuthRequestError}. */
export interface HttpAuthRequestErrorOptions extends ErrorOptions {
  /** The HTTP status, when the server answered. */
  status?: number;
  /** The server's error text, when it gave one. */
  serverMessage?: string;
}

/** A request by {@linkcode HttpAuthClient} that failed: no answer, or an unusable one. */
export class HttpAuthRequestError extends Error {
  /** The HTTP status, when the server answered. */
  readonly status?: number;
  /** The server's error text, when it gave one. */
  readonly serverMessage?: string;

  /** Create the error. */
  constructor(message: string, options: HttpAuthRequestErrorOptions = {}) {
    super(message, options);
    this.name = "HttpAuthRequestError";
    this.status = options.status;
    this.serverMessage = options.serverMessage;
  }
}
