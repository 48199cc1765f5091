import { type LogLevel, parseLogLevel } from "../log/mod.ts";
import { parseListenAddress } from "../netutil/mod.ts";
import { UsageError } from "./errors.ts";
import {
  booleanFlag,
  durationValue,
  type Flag,
  type FlagParser,
  stringFlag,
  valueFlag,
} from "./flags.ts";

// The flags several commands share, declared here once so they are spelled and parsed alike.

/** Parser for a log level (trace, debug, info, warn, error). */
export const logLevelValue: FlagParser<LogLevel> = (text: string): LogLevel => {
  const level = parseLogLevel(text);
  if (!level) throw new UsageError(`unknown log level "${text}"`);
  return level;
};

const LOG_LEVEL_HELP = "trace, debug, info, warn or error";

/** `--log-level LEVEL` with a default level. */
export function logLevelFlag(options: { default: LogLevel; description?: string }): Flag<LogLevel>;
/** `--log-level LEVEL`; `undefined` when absent (e.g. the config's level applies). */
export function logLevelFlag(options?: { description?: string }): Flag<LogLevel | undefined>;
export function logLevelFlag(
  options: { default?: LogLevel; description?: string } = {},
): Flag<LogLevel | undefined> {
  const common = {
    valueName: "LEVEL",
    description: options.description ?? LOG_LEVEL_HELP,
    parse: logLevelValue,
  };
  return options.default === undefined
    ? valueFlag(common)
    : valueFlag({ ...common, default: options.default });
}

/** `--json`: print JSON for scripts instead of text. */
export function jsonFlag(description = "print JSON"): Flag<boolean> {
  return booleanFlag({ description });
}

/** `-c, --config FILE` with a default path. */
export function configFlag(options: { default: string; description?: string }): Flag<string>;
/** `-c, --config FILE`; `undefined` when absent. */
export function configFlag(options?: { description?: string }): Flag<string | undefined>;
export function configFlag(
  options: { default?: string; description?: string } = {},
): Flag<string | undefined> {
  const common = {
    short: "c",
    valueName: "FILE",
    description: options.description ?? "the visor config",
  };
  return options.default === undefined
    ? stringFlag(common)
    : stringFlag({ ...common, default: options.default });
}

/**
 * `-a, --addr ADDR`: where a service listens, `host:port` (`:PORT` is every interface);
 * anything else is a usage error.
 */
export function listenAddrFlag(options: { default: string }): Flag<string> {
  return valueFlag({
    short: "a",
    valueName: "ADDR",
    description: `address to listen on, host:port ('${options.default}' is every interface)`,
    default: options.default,
    parse: (text, flag) => {
      try {
        parseListenAddress(text);
      } catch {
        throw new UsageError(`invalid ${flag} "${text}" (want host:port)`);
      }
      return text;
    },
  });
}

/** `--data DIR`: the directory of a service's store (`default` when absent). */
export function dataDirFlag(
  options: { default: string; description?: string },
): Flag<string> {
  return stringFlag({
    valueName: "DIR",
    description: options.description ?? "directory for the store",
    default: options.default,
  });
}

/**
 * `--entry-timeout DURATION` of a service whose records expire unless refreshed (Go's flag):
 * `record` lives without `refresh`; 0 keeps it until `removed`. `undefined` when absent: the
 * service's default (5 min, none in test mode).
 */
export function entryTimeoutFlag(
  options: { record: string; refresh: string; removed: string },
): Flag<number | undefined> {
  return valueFlag({
    valueName: "DURATION",
    description: `how long ${options.record} lives without ${options.refresh} ` +
      `(0: until ${options.removed}; default 5m, or 0 with --testing)`,
    parse: durationValue,
  });
}
