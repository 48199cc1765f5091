/**
 * A TLS certificate or key file that cannot be used: missing, unreadable, not PEM, or not
 * matching its pair. The message names the file and says what to do.
 */
export class TlsFileError extends Error {
  /** The file at fault. */
  readonly file: string;

  /** Create the error for `file`, with `reason` saying what is wrong with it. */
  constructor(file: string, reason: string, options?: ErrorOptions) {
    super(`TLS file ${file}: ${reason}`, options);
    this.name = "TlsFileError";
    this.file = file;
  }
}
