/**
 * The discovery's error vocabulary: Go's sentinel messages, the `{"message","code"}` body the
 * service answers errors with, and the typed errors our client raises.
 *
 * @module
 */
import { JsonWriter } from "./entry_json.ts";
import { VALIDATION_CAUSES, type ValidationRule } from "./entry_validate.ts";

/** Go's `disc` sentinel errors that are not validation errors, by name. */
export const DISC_MESSAGES = {
  keyNotFound: "entry of public key is not found",
  noAvailableServers: "no delegated dmsg servers available for remote",
  unexpected: "something unexpected happened",
  unauthorized: "invalid signature",
  badInput: "error bad input",
} as const;

/** Go's success messages for writes (`disc.MsgEntrySet` etc.). */
export const DISC_OK_MESSAGES = {
  entrySet: "wrote a new entry",
  entryUpdated: "wrote new entry iteration",
  entryDeleted: "deleted entry",
} as const;

/** Which Go sentinel an error message maps back to (Go's `errFromString`). */
export type DiscErrorKind = keyof typeof DISC_MESSAGES | ValidationRule;

const KIND_BY_MESSAGE = new Map<string, DiscErrorKind>([
  ...Object.entries(DISC_MESSAGES).map(([k, m]) => [m, k] as [string, DiscErrorKind]),
  ...Object.entries(VALIDATION_CAUSES).map((
    [k, cause],
  ) => [`entry validation error: ${cause}`, k] as [string, DiscErrorKind]),
]);

/** Go's `errFromString`: the sentinel a message names; unknown messages are `unexpected`. */
export function errorKindFromMessage(message: string): DiscErrorKind {
  return KIND_BY_MESSAGE.get(message) ?? "unexpected";
}

/** The service's JSON body for a status: `{"message":"…","code":N}` (Go's field order). */
export function httpMessageBytes(code: number, message: string): Uint8Array {
  const w = new JsonWriter(64 + message.length);
  w.ascii(`{"message":`);
  w.string(message);
  w.ascii(`,"code":${code}}`);
  return w.finish();
}

/** Options for {@linkcode DiscoveryError}. */
export interface DiscoveryErrorOptions {
  /** HTTP status of the answer. */
  status: number;
  /** `code` from the body (Go sets it to the status). */
  code: number;
  /** `message` from the body, verbatim. */
  message: string;
}

/** The discovery answered with an error body `{code, message}`. */
export class DiscoveryError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** `code` from the body. */
  readonly code: number;
  /** The Go sentinel the message names (`unexpected` for unknown messages, as in Go). */
  readonly kind: DiscErrorKind;

  /** Create the error from an answer. */
  constructor(options: DiscoveryErrorOptions) {
    super(options.message);
    this.name = "DiscoveryError";
    this.status = options.status;
    this.code = options.code;
    this.kind = errorKindFromMessage(options.message);
  }
}

/** The request could not be made or the answer could not be read (network, timeout, format). */
export class DiscoveryRequestError extends Error {
  /** Create the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DiscoveryRequestError";
  }
}
