/**
 * The command line: a tree of commands with typed flags, `--help` on every command, and exit
 * code 2 with a one-line reason on misuse.
 *
 * - {@linkcode defineCommand} declares a command; flags are declared once with their types
 *   ({@linkcode stringFlag}, {@linkcode valueFlag}, ...) so `run` receives typed values.
 * - {@linkcode logLevelFlag}, {@linkcode jsonFlag} and {@linkcode configFlag} are the flags
 *   several commands share.
 * - {@linkcode lazyCommand} declares a command whose module is imported only when it runs.
 * - {@linkcode runCommandLine} runs an argument list against a root command.
 * - {@linkcode createProgress} draws progress of long operations on stderr.
 *
 * @module
 */
export { defineCommand, lazyCommand, runCommandLine } from "./command.ts";
export type { Command, CommandContext, CommandIo, FlagMap, FlagValues } from "./command.ts";
export { UsageError } from "./errors.ts";
export {
  booleanFlag,
  durationValue,
  integerValue,
  listFlag,
  oneOfValue,
  portValue,
  stringFlag,
  urlValue,
  valueFlag,
  withDescription,
} from "./flags.ts";
export type { Flag, FlagKind, FlagOptions, FlagParser, ValueFlagOptions } from "./flags.ts";
export {
  configFlag,
  dataDirFlag,
  entryTimeoutFlag,
  jsonFlag,
  listenAddrFlag,
  logLevelFlag,
  logLevelValue,
} from "./shared_flags.ts";
export { createProgress } from "./progress.ts";
export type { Progress, ProgressOptions } from "./progress.ts";
