/** What the app manager's errors carry: an HTTP-like status for the control API. */
export class AppManagerError extends Error {
  /** Create the error; `status` is 404 (no such app), 409 (state conflict) or 500. */
  constructor(readonly status: 404 | 409 | 500, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AppManagerError";
  }
}

/** The app is not in the config, not in this build, or not running (for stop). */
export class AppNotFoundError extends AppManagerError {
  /** Create the error. */
  constructor(message: string) {
    super(404, message);
    this.name = "AppNotFoundError";
  }
}

/** The app died (or gave up) before it reported running. */
export class AppStartError extends AppManagerError {
  /** Create the error; `cause` is what ended the app. */
  constructor(name: string, cause: unknown) {
    super(500, `app ${name} failed to start: ${messageOf(cause)}`, { cause });
    this.name = "AppStartError";
  }
}

/** The message of an error or any thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
