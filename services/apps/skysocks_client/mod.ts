/**
 * skysocks-client: a local SOCKS5 port into a skysocks server's network, over one yamux session
 * on an app connection, kept alive by a liveness ping and redialed when it dies
 * (`--reconnect`). See {@linkcode SkysocksClient} and {@linkcode SessionKeeper}.
 *
 * @module
 */
export { SkysocksClient } from "./client.ts";
export type { SkysocksClientOptions, SkysocksClientStats } from "./client.ts";
export { SessionKeeper } from "./session_keeper.ts";
export type { KeeperState, KeeperStatus, SessionKeeperOptions } from "./session_keeper.ts";
export { renderStatusHtml, serveStatusPage } from "./status_page.ts";
export type { ClientStatus } from "./status_page.ts";
export { relayConnection } from "./relay.ts";
export type { RelayContext, RelayOutcome } from "./relay.ts";
export {
  BACKOFF_INITIAL_MS,
  BACKOFF_MAX_MS,
  DEFAULT_CLIENT_ADDR,
  DIAL_TIMEOUT_MS,
  EXIT_REPLY_TIMEOUT_MS,
  HANDSHAKE_TIMEOUT_MS,
  MAX_CONNECTIONS,
  PING_FAILURES,
  PING_INTERVAL_MS,
  PING_TIMEOUT_MS,
  REQUEST_WAIT_MS,
  STATUS_HOST,
} from "./constants.ts";
