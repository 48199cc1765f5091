/**
 * One-line structured logging: `<time> <LEVEL> [<component>] <message> key=value ...`.
 *
 * Lines go to stderr by default so that stdout stays clean for command output and `--json`.
 * Field values that look like secrets (by key name) are never printed. A {@linkcode LogRing}
 * keeps the newest lines in memory for a UI to tail.
 *
 * @module
 */
export { createLogger, LOG_LEVELS, parseLogLevel, stderrSink } from "./logger.ts";
export type { LogFields, Logger, LoggerOptions, LogLevel, LogSink } from "./logger.ts";
export { DEFAULT_LOG_RING_CAPACITY, levelAtLeast, LogRing, teeSink } from "./ring.ts";
export type { LogEntry, LogRingOptions, LogTailOptions } from "./ring.ts";
