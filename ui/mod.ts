/**
 * The node's web UI (the hypervisor): a Hono app served by `skywire visor` and `skywire up`.
 *
 * - {@linkcode serveUi} listens on `hypervisor.http_addr` (loopback unless allowed otherwise);
 *   {@linkcode createUiApp} is the app itself, for tests and other servers.
 * - {@linkcode setPassword} is what `skywire cli visor hv password` stores; the UI's first
 *   visit does the same.
 *
 * It talks to the node only through the visor's typed API (`services/visor/api.ts`).
 *
 * @module
 */
export { createUiApp, DEFAULT_SESSION_TTL_MS } from "./app.ts";
export type { UiApp, UiAppOptions } from "./app.ts";
export { isLoopbackHost, serveUi } from "./serve.ts";
export type { ServeUiOptions, UiServer } from "./serve.ts";
export {
  PASSWORD_KEY,
  PasswordRejectedError,
  readPassword,
  setPassword,
  UI_USERNAME,
} from "./auth/credentials.ts";
export type { PasswordRecord, SetPasswordOptions, StoredPassword } from "./auth/credentials.ts";
export { DEFAULT_SCRYPT, MIN_PASSWORD_LENGTH } from "./auth/password.ts";
export type { ScryptParams } from "./auth/password.ts";
export { CSRF_HEADER } from "./middleware/csrf.ts";
export { SESSION_COOKIE } from "./middleware/session.ts";
