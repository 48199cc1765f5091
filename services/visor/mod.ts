/**
 * The visor (the node): {@linkcode runVisor} is `skywire visor`, {@linkcode startVisor} the
 * node's parts without the process concerns, and the `/health` endpoints every visor
 * ({@linkcode serveClientHealth}) and dmsg server ({@linkcode serveServerHealth}) answer on
 * dmsg port 80.
 *
 * @module
 */
export { configuredServers, startVisor, VISOR_STORE_FILE } from "./visor.ts";
export type { StartVisorOptions, Visor } from "./visor.ts";
export { loadConfig, runVisor, SHUTDOWN_BUDGET_MS } from "./run.ts";
export type { RunVisorOptions } from "./run.ts";
export { serveClientHealth, serveServerHealth } from "./health.ts";
export type { ServeHealthOptions } from "./health.ts";
export { stopOnSignals } from "./signals.ts";
export type { StopSignal } from "./signals.ts";
