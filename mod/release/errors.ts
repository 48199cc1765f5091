/** Why a manifest was refused. */
export type ManifestErrorCode =
  | "malformed"
  | "too-large"
  | "no-signature"
  | "unknown-key"
  | "bad-signature"
  | "wrong-channel"
  | "no-asset";

/**
 * A release manifest that cannot be used. `code` says why, so callers (and tests) can tell a
 * forged manifest from a malformed one without matching message text.
 */
export class ManifestError extends Error {
  /** Why the manifest was refused. */
  readonly code: ManifestErrorCode;

  /** Create the error. */
  constructor(code: ManifestErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ManifestError";
    this.code = code;
  }
}

/** A release key (or key file) that cannot be used. */
export class ReleaseKeyError extends Error {
  /** Create the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ReleaseKeyError";
  }
}
