/**
 * dmsg's numbered errors (Go `pkg/dmsg/errors.go`): the codes travel in stream responses
 * (`ErrCode`), so they must match Go's numbers.
 *
 * @module
 */

/** Go's error codes by name: 1xx discovery, 2xx entity, 3xx request/response, 4xx listener. */
export const DmsgErrorCode = {
  discEntryNotFound: 100,
  discEntryIsNotServer: 101,
  discEntryIsNotClient: 102,
  discEntryHasNoDelegated: 103,
  entityClosed: 200,
  sessionClosed: 201,
  cannotConnectToDelegated: 202,
  sessionHandshakeExtraBytes: 203,
  requestInvalidSignature: 300,
  requestInvalidTimestamp: 301,
  requestInvalidSrcPk: 302,
  requestInvalidDstPk: 303,
  requestInvalidSrcPort: 304,
  requestInvalidDstPort: 305,
  requestNoListener: 306,
  requestNoNextSession: 307,
  relayCapacityReached: 308,
  responseInvalidSignature: 350,
  responseInvalidHash: 351,
  responseNotAccepted: 352,
  signedObjectInvalid: 370,
  portOccupied: 400,
  acceptChanMaxed: 401,
} as const;

/** Go's message for each code (shown after `dmsg error N - `). */
const MESSAGES: Record<number, string> = {
  100: "entry is not found in discovery",
  101: "entry is not of server in discovery",
  102: "entry is not of client in discovery",
  103: "client entry in discovery has no delegated servers",
  200: "local entity closed",
  201: "local session closed",
  202: "cannot connect to delegated server",
  203: "extra bytes received during session handshake",
  300: "request has invalid signature",
  301: "request timestamp should be higher than last",
  302: "request has invalid source public key",
  303: "request has invalid destination public key",
  304: "request has invalid source port",
  305: "request has invalid destination port",
  306: "request has no associated listener",
  307: "request cannot be forwarded because the next session is non-existent",
  308: "relay capacity reached",
  350: "response has invalid signature",
  351: "response has invalid hash of associated request",
  352: "response rejected associated request without reason",
  370: "signed object is invalid",
  400: "port already occupied",
  401: "listener accept chan maxed",
};

/** Whether Go knows `code` (a response carrying an unknown code maps to 352, as in Go). */
export function isKnownDmsgErrorCode(code: number): boolean {
  return code in MESSAGES;
}

/**
 * A dmsg error with Go's numeric code. The message reads like Go's:
 * `dmsg error 202 - cannot connect to delegated server: <cause>`.
 */
export class DmsgError extends Error {
  /** Go's numeric code (see {@linkcode DmsgErrorCode}). */
  readonly code: number;
  /** Whether a time limit ran out (Go's `net.Error.Timeout()`). */
  readonly timeout: boolean;

  /**
   * Create the error for `code`. `detail` (or else `cause`'s message) is appended to the
   * message; `timeout` marks a time limit that ran out.
   */
  constructor(code: number, options?: ErrorOptions & { detail?: string; timeout?: boolean }) {
    const base = MESSAGES[code] ?? "unknown error";
    const detail = options?.detail ??
      (options?.cause instanceof Error
        ? options.cause.message.replace(/^dmsg error \d+ - /, "")
        : options?.cause !== undefined
        ? String(options.cause)
        : undefined);
    super(`dmsg error ${code} - ${base}${detail ? ": " + detail : ""}`, options);
    this.name = "DmsgError";
    this.code = code;
    this.timeout = options?.timeout ?? false;
  }
}
