/**
 * Misuse of the command line: the command exits 2 with a one-line reason. Flag parsers and
 * commands throw it; {@linkcode runCommandLine} prints it.
 */
export class UsageError extends Error {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
