/**
 * The steps of an update, in the order they run. An {@linkcode UpdateError} names the step that
 * failed; every step before `swap` leaves the installed binary untouched.
 */
export const UPDATE_STEPS = [
  "target",
  "manifest",
  "verify-manifest",
  "version",
  "prepare",
  "download",
  "verify",
  "smoke-test",
  "backup",
  "swap",
  "restart",
  "rollback",
] as const;

/** One of {@linkcode UPDATE_STEPS}. */
export type UpdateStep = typeof UPDATE_STEPS[number];

/** Why an update step failed. */
export type UpdateErrorCode =
  | "no-target"
  | "fetch-failed"
  | "malformed"
  | "too-large"
  | "no-signature"
  | "unknown-key"
  | "bad-signature"
  | "wrong-channel"
  | "no-asset"
  | "not-newer"
  | "busy"
  | "not-writable"
  | "download-failed"
  | "size-mismatch"
  | "checksum-mismatch"
  | "smoke-test-failed"
  | "version-mismatch"
  | "backup-failed"
  | "swap-failed"
  | "no-previous"
  | "rollback-failed";

/**
 * A failed update. `step` is where it failed and `code` why; the message is one line an
 * operator can act on. The binary that was installed before is still in place and running.
 */
export class UpdateError extends Error {
  /** The step that failed. */
  readonly step: UpdateStep;
  /** Why it failed. */
  readonly code: UpdateErrorCode;

  /** Create the error. */
  constructor(step: UpdateStep, code: UpdateErrorCode, message: string, options?: ErrorOptions) {
    super(`${step}: ${message}`, options);
    this.name = "UpdateError";
    this.step = step;
    this.code = code;
  }
}

/** Text of any thrown value. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
