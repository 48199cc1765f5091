/**
 * `skywire up`: a private Skywire network in one process (dmsg discovery, dmsg server with
 * route setup, transport discovery, address resolver, route finder, two visors with a SOCKS5
 * proxy between them) on 127.0.0.1, with keys kept across restarts.
 * {@linkcode startUp} runs it; the CLI prints its addresses and stops it on Ctrl-C.
 *
 * @module
 */
export {
  DEFAULT_UI_PORT,
  DEFAULT_UP_DATA_DIR,
  startUp,
  UP_LOCK_FILE,
  UP_STORE_PREFIXES,
} from "./up.ts";
export type { StartUpOptions, UpInfo, UpNetwork } from "./up.ts";
export { loadOrCreateKeys, UP_KEY_FILE, UP_STORE_FILE, UpKeysError } from "./keys.ts";
export type { UpRole } from "./keys.ts";
export {
  DEFAULT_ADDRESS_RESOLVER_PORT,
  DEFAULT_CLI_PORT,
  DEFAULT_DISCOVERY_PORT,
  DEFAULT_DMSG_SERVER_PORT,
  DEFAULT_EXIT_CLI_PORT,
  DEFAULT_ROUTE_FINDER_PORT,
  DEFAULT_SOCKS_PORT,
  DEFAULT_TRANSPORT_DISCOVERY_PORT,
  startWithPortFallback,
} from "./ports.ts";
