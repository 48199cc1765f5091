/**
 * skysocks: the SOCKS5 server app. Each app connection on port 3 carries a yamux session; each
 * stream is one SOCKS5 connection served end to end. See {@linkcode SkysocksServer}.
 *
 * @module
 */
export { SkysocksServer } from "./server.ts";
export type { SkysocksServerOptions, SkysocksServerStats } from "./server.ts";
export { passcodeCheck } from "./passcode.ts";
export { DEFAULT_MAX_CONNECTIONS, SERVER_KEEPALIVE_MS, SKYSOCKS_PORT } from "./constants.ts";
