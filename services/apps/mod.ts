/**
 * The visor's apps, run in-process: the {@linkcode AppManager} (start, stop, status, log from
 * `launcher.apps`), the apps this build has ({@linkcode BUILTIN_APPS}: `skysocks`,
 * `skysocks-client`), and what an app is ({@linkcode AppDefinition}, {@linkcode AppContext}).
 * Apps speak over an `AppNet` (`mod/appnet`): route groups in a visor with a router, dmsg
 * streams otherwise.
 *
 * @module
 */
export type { AppContext, AppDefinition } from "./app.ts";
export { AppArgsError, parseAppArgs } from "./app_args.ts";
export type { AppFlagKind, AppFlagValues } from "./app_args.ts";
export { AppRegistry } from "./registry.ts";
export { AppManagerError, AppNotFoundError, AppStartError } from "./errors.ts";
export { appArgs, AppManager } from "./manager.ts";
export type { AppManagerOptions, AppManagerStats, AppState, AppStatus } from "./manager.ts";
export { AppStoppedError } from "./_tracked_net.ts";
export { BUILTIN_APPS } from "./builtin.ts";
export { skysocksApp } from "./skysocks/app.ts";
export { skysocksClientApp } from "./skysocks_client/app.ts";
