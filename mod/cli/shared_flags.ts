import { type LogLevel, parseLogLevel } from "../log/mod.ts";
import { parseListenAddress } from "../netutil/mod.ts";
import { UsageError } from "./errors.ts";
import { booleanFlag, type Flag, type FlagParser, stringFlag, valueFlag } from "./flags.ts";

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
