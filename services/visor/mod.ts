/**
 * The visor (the node): {@linkcode startVisor} is the node's parts without the process
 * concerns (`skywire visor` adds those in `run.ts`, which its command imports, so `skywire up`
 * never loads the updater and the boot checks it does not use): its dmsg client, its transports
 * ({@linkcode startVisorTransports}), its routing ({@linkcode startVisorRouting}: router, route
 * dial, ping, the setup nodes' RPC on port 136), and its control API ({@linkcode VisorControlApi}) served
 * on `cli_addr` ({@linkcode serveControl}) for the CLI ({@linkcode ControlClient}) and the UI.
 *
 * @module
 */
export { configuredServers, startVisor, VISOR_STORE_FILE } from "./visor.ts";
export type { StartVisorOptions, Visor } from "./visor.ts";
export { createVisorApi } from "./visor_api.ts";
export { uiTlsCredentials, uiTlsDir } from "./web_ui.ts";
export type { CreateVisorApiOptions } from "./visor_api.ts";
export type * from "./api.ts";
export { startVisorTransports } from "./transports.ts";
export type {
  VisorTransports,
  VisorTransportsOptions,
  VisorTransportTuning,
} from "./transports.ts";
export { startVisorRouting } from "./routing.ts";
export type { VisorRouting, VisorRoutingOptions, VisorRoutingTuning } from "./routing.ts";
export { VisorApiError } from "./api_types.ts";
export type {
  AddTransportRequest,
  DiscoveredTransport,
  DiscoverQuery,
  DmsgSessionSummary,
  PingReport,
  PingRequest,
  RouteGroupSummary,
  RoutesApi,
  RuleSummary,
  TransportFilter,
  TransportsApi,
  TransportSummary,
  VisorControlApi,
  VisorSummary,
} from "./api_types.ts";
export { createVisorControlApi, transportSummary } from "./control_api.ts";
export type { VisorControlParts } from "./control_api.ts";
export {
  controlListenAddress,
  controlUrl,
  DEFAULT_CLI_ADDR,
  isLoopbackHost,
} from "./control_addr.ts";
export type { ControlAddress } from "./control_addr.ts";
export { createControlApp, serveControl } from "./control_http.ts";
export type { ControlServer, ServeControlOptions } from "./control_http.ts";
export { ControlClient, VisorUnreachableError } from "./control_client.ts";
export type { ControlClientOptions } from "./control_client.ts";
export { localFleet } from "./fleet_types.ts";
export type { Fleet, FleetVisor } from "./fleet_types.ts";
export { FleetHub } from "./fleet.ts";
export type { FleetHubOptions, FleetHubStats } from "./fleet.ts";
export { HYPERVISOR_DMSG_PORT, startHypervisorLinks } from "./hv_link.ts";
export type { HvLinkBackoff, HypervisorLinks, HypervisorLinksOptions } from "./hv_link.ts";
export { createHvRpcServer, DENO_BUILD_TAG, hvRpcMethods } from "./hv_rpc_server.ts";
export type { HvRpcSource } from "./hv_rpc_server.ts";
export * as hvGob from "./hv_rpc_types.ts";
