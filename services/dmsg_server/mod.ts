/**
 * The dmsg server as a service: its `skywire dmsg server` commands (`commands.ts`), its config
 * file (Go `dmsg-server`'s format plus the server's limits, `peers` and `enable_route_setup`),
 * the translation of
 * that config into options for the server in `mod/dmsg` ({@linkcode serverOptionsFromConfig} →
 * `startDmsgServer`), and the route setup node it can host ({@linkcode serveRouteSetup}).
 *
 * ```ts
 * const { config } = parseServerConfig(await Deno.readTextFile("dmsg-server.json"));
 * const server = await startDmsgServer({ ...serverOptionsFromConfig(config), logger });
 * const setup = config.enable_route_setup ? serveRouteSetup(server, { logger }) : undefined;
 * ```
 *
 * @module
 */
export {
  DEFAULT_DISCOVERY_URL,
  DMSG_SERVER_CONFIG_SPEC,
  generateServerConfig,
  isHostPort,
  parsePeer,
  parseServerConfig,
  SERVER_LIMITS,
  serverConfigToJson,
  serverOptionsFromConfig,
  withListenAddress,
} from "./config.ts";
export type {
  DmsgServerConfig,
  ParsedServerConfig,
  ServerLimit,
  ServerLimitField,
} from "./config.ts";
export { serveRouteSetup } from "./route_setup.ts";
