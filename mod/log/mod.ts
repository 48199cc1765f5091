/**
 * One-line structured logging: `<time> <LEVEL> [<component>] <message> key=value ...`.
 *
 * Lines go to stderr by default so that stdout stays clean for command output and `--json`.
 * Field values that look like secrets (by key name) are never printed.
 *
 * @module
 */
export { createLogger, LOG_LEVELS, parseLogLevel } from "./logger.ts";
export type { LogFields, Logger, LoggerOptions, LogLevel, LogSink } from "./logger.ts";
