/**
 * The node's web UI (the hypervisor): a Hono app served by `skywire visor` and `skywire up`.
 *
 * - {@linkcode serveUi} listens on `hypervisor.http_addr` (loopback unless allowed otherwise)
 *   and makes the app at the first request: `createUiApp` in `app.ts` (for tests and other
 *   servers) is not exported here, so that a node loads its pages and routes only when someone
 *   opens the UI.
 * - {@linkcode setPassword} is what `skywire cli visor hv password` stores; the UI's first
 *   visit does the same.
 *
 * It talks to the node only through the visor's typed API (`services/visor/api.ts`).
 *
 * @module
 */
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
