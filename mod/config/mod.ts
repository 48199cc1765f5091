/**
 * The visor configuration `skywire-config.json`, with Skywire's field names: its schema (the
 * single source of its types), the generator behind `skywire config gen`, validation (unknown
 * fields warn, wrong types and bad keys are errors naming the field; secrets never appear in
 * messages), and {@linkcode loadNodeConfig}. The spec engine (`str`, `object`, `withDefault`,
 * {@linkcode parseSpec}, `Infer`) serves other config files too.
 *
 * @module
 */
export type * from "./types.ts";
export { customServiceEndpoints, generateConfig } from "./generate.ts";
export {
  APP_SPEC,
  CONFIG_LOG_LEVELS,
  CONFIG_SCHEMA,
  defaultStore,
  defaultUpdater,
  DMSG_SERVER_ENTRY_SPEC,
  HYPERVISOR_SPEC,
  STORE_SPEC,
  UPDATER_SPEC,
} from "./schema.ts";
export type { GenerateOptions } from "./generate.ts";
export { ConfigError } from "./errors.ts";
export { parseConfig } from "./validate.ts";
export type { ParsedConfig } from "./validate.ts";
export { formatDuration, parseDuration } from "./duration.ts";
export { type ServiceEndpoints, SERVICES } from "./services.ts";
export { configToJson } from "./serialize.ts";
export { DEFAULT_CONFIG_FILE, loadNodeConfig, resolveLocalPath } from "./load.ts";
export type { NodeConfig } from "./load.ts";
export {
  bool,
  checkSpec,
  duration,
  int,
  list,
  nullable,
  object,
  oneOf,
  openObject,
  optional,
  parseSpec,
  publicKey,
  secretKey,
  str,
  url,
  withDefault,
} from "./spec.ts";
export type {
  BoolSpec,
  DurationSpec,
  EnumSpec,
  FieldSpecs,
  Filled,
  Infer,
  IntSpec,
  KeySpec,
  ListSpec,
  ObjectSpec,
  Spec,
  SpecModifiers,
  SpecValue,
  StringSpec,
  UrlSpec,
} from "./spec.ts";
