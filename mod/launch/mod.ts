/**
 * How this skywire process was started (compiled binary, `deno run`, `deno task`, or either
 * under `npx`), and the command lines that run skywire again the same way: for a person at a
 * shell ({@linkcode shellCommand}) and for a service manager ({@linkcode serviceCommand}).
 *
 * @module
 */
export { detectLaunch, isCompiledBinary } from "./launch.ts";
export type { DetectLaunchOptions, Launch, LaunchKind } from "./launch.ts";
export {
  needsProjectDir,
  RUNTIME_FLAGS,
  serviceCommand,
  shellCommand,
  shellQuote,
  shellWords,
  SKYWIRE_TASK,
} from "./command_line.ts";
