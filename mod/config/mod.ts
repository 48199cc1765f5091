/**
 * The visor configuration `skywire-config.json`, with Skywire's field names: its types, the
 * generator behind `skywire config gen`, and validation (unknown fields warn, wrong types and
 * bad keys are errors naming the field; secrets never appear in messages).
 *
 * @module
 */
export type * from "./types.ts";
export { generateConfig } from "./generate.ts";
export type { GenerateOptions } from "./generate.ts";
export { ConfigError, parseConfig } from "./validate.ts";
export type { ParsedConfig } from "./validate.ts";
export { formatDuration, parseDuration } from "./duration.ts";
export { type ServiceEndpoints, SERVICES } from "./services.ts";
export { configToJson } from "./serialize.ts";
export { DEFAULT_CONFIG_FILE, loadNodeConfig, resolveLocalPath } from "./load.ts";
export type { NodeConfig } from "./load.ts";
