/**
 * Entry validation with Go's rules and Go's exact error texts (`disc.Entry.Validate`,
 * `disc.Entry.ValidateIteration`). The discovery answers every one of these with HTTP 422 and
 * the message `entry validation error: <cause>`.
 *
 * @module
 */
import type { Entry } from "./entry.ts";

/** The causes Go's `disc` package names (`NewEntryValidationError(cause)`). */
export const VALIDATION_CAUSES = {
  nonZeroSequence: "new entry has non-zero sequence",
  nilEphemerals: "entry of client instance has nil ephemeral keys",
  nilKeys: "entry Keys is nil",
  nonNilEphemerals: "entry of server instance has non nil Keys.Ephemerals field",
  noSignature: "entry has no signature",
  noVersion: "entry has no version",
  noClientOrServer: "entry has neither client or server field",
  wrongSequence: "sequence field of new entry is not sequence of old entry + 1",
  wrongTime: "advertised entry timestamp is not greater than previous",
  outdatedTime: "advertised entry has outdated timestamp",
  serverAddress: "advertising localhost listening address is not allowed in production mode",
  emptyServerAddress: "server address cannot be empty",
} as const;

/** Which validation rule an entry broke. */
export type ValidationRule = keyof typeof VALIDATION_CAUSES;

/** An entry that breaks a rule; `message` is Go's text. */
export class EntryValidationError extends Error {
  /** The rule that was broken. */
  readonly rule: ValidationRule;

  /** Create the error for `rule`. */
  constructor(rule: ValidationRule) {
    super(`entry validation error: ${VALIDATION_CAUSES[rule]}`);
    this.name = "EntryValidationError";
    this.rule = rule;
  }
}

// How old a server entry's timestamp may be (Go `entryLifetime`).
const ENTRY_LIFETIME_NS = 60n * 1_000_000_000n;
// How far in the future a server entry's timestamp may be (Go `allowedEntryTimestampError`).
const ALLOWED_TIMESTAMP_ERROR_NS = 5n * 1_000_000_000n;

/** Options for {@linkcode validateEntry}. */
export interface ValidateEntryOptions {
  /** Check the timestamp is within −1 min/+5 s of `nowNs` (Go skips this for client entries). */
  validateTimestamp: boolean;
  /** Current Unix time in nanoseconds. */
  nowNs: bigint;
}

/** Go's `Entry.Validate`: throws {@linkcode EntryValidationError} for the first broken rule. */
export function validateEntry(entry: Entry, options: ValidateEntryOptions): void {
  if (entry.version === "") throw new EntryValidationError("noVersion");
  if (entry.signature === "") throw new EntryValidationError("noSignature");
  if (entry.static.isNull()) throw new EntryValidationError("nilKeys");
  if (!entry.client && !entry.server) throw new EntryValidationError("noClientOrServer");
  if (entry.server && entry.server.address === "") {
    throw new EntryValidationError("emptyServerAddress");
  }
  if (options.validateTimestamp) {
    const ts = entry.timestamp;
    if (ts > options.nowNs + ALLOWED_TIMESTAMP_ERROR_NS || ts < options.nowNs - ENTRY_LIFETIME_NS) {
      throw new EntryValidationError("outdatedTime");
    }
  }
}

/** Options for {@linkcode validateIteration}. */
export interface ValidateIterationOptions {
  /**
   * Require `next.sequence === old.sequence + 1` (the rule the error text states). Go's code
   * only requires `next.sequence > old.sequence`; `false` gives exactly that.
   */
  strictSequence?: boolean;
}

/** Go's `Entry.ValidateIteration`: may `next` replace `old`? */
export function validateIteration(
  old: Pick<Entry, "sequence" | "timestamp">,
  next: Entry,
  options: ValidateIterationOptions = {},
): void {
  const strict = options.strictSequence ?? true;
  if (strict ? next.sequence !== old.sequence + 1n : next.sequence <= old.sequence) {
    throw new EntryValidationError("wrongSequence");
  }
  if (next.timestamp < old.timestamp) throw new EntryValidationError("wrongTime");
}

/** The rule for a first registration when sequences are strict: it must be sequence 0. */
export function validateFirstRegistration(
  entry: Entry,
  options: ValidateIterationOptions = {},
): void {
  if ((options.strictSequence ?? true) && entry.sequence !== 0n) {
    throw new EntryValidationError("nonZeroSequence");
  }
}
