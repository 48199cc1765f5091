/**
 * The visor (the node): {@linkcode runVisor} is `skywire visor`, {@linkcode startVisor} the
 * node's parts without the process concerns.
 *
 * @module
 */
export { configuredServers, startVisor, VISOR_STORE_FILE } from "./visor.ts";
export type { StartVisorOptions, Visor } from "./visor.ts";
export { runVisor } from "./run.ts";
export type { RunVisorOptions } from "./run.ts";
export { sectionsNotRun } from "./sections_not_run.ts";
export { createVisorApi } from "./visor_api.ts";
export type { CreateVisorApiOptions } from "./visor_api.ts";
export type * from "./api.ts";
