import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readAncestors } from "./_proc.ts";

/**
 * How this skywire process was started, which decides the command line that runs skywire
 * again the same way:
 * - `compiled`: a `deno compile` binary; `execPath` is skywire itself.
 * - `deno_run`: `deno run main.ts ...`.
 * - `deno_task`: `deno task ...` in the project (a task runs `deno run main.ts`).
 * - `npx_run`: `npx deno run main.ts ...` (Deno from the npm registry, not on PATH).
 * - `npx_task`: `npx deno task ...`, as the README's first lines do.
 */
export type LaunchKind = "compiled" | "deno_run" | "deno_task" | "npx_run" | "npx_task";

/** What {@linkcode detectLaunch} found. */
export interface Launch {
  /** How the process was started. */
  kind: LaunchKind;
  /** Absolute path of the running executable: the skywire binary or the Deno runtime. */
  execPath: string;
  /** Absolute path of `main.ts` (every kind but `compiled`). */
  mainPath?: string;
  /** The directory of `main.ts` and `deno.json`, where `deno task` finds the tasks. */
  projectDir?: string;
  /** The Deno version running, pinned in `npx -y deno@VERSION`. */
  denoVersion: string;
  /** How to call this Deno runtime in a shell: `deno` when that is it on PATH, else its path. */
  denoCommand: string;
}

/** Inputs of {@linkcode detectLaunch}; each defaults to this process's. */
export interface DetectLaunchOptions {
  /** `Deno.execPath()`. */
  execPath?: string;
  /** `Deno.mainModule`. */
  mainModule?: string;
  /** Environment variables. */
  env?: Record<string, string>;
  /** Parent command lines, nearest first (`undefined`: unknown, fall back to `env`). */
  ancestors?: string[][] | undefined;
  /** `Deno.version.deno`. */
  denoVersion?: string;
  /** The `deno` a shell would find on PATH (real path), if any. */
  denoOnPath?: string | undefined;
}

/**
 * Whether this process is a `deno compile` binary (so `Deno.execPath()` is skywire itself)
 * rather than `deno run main.ts` (where it is the Deno runtime, which must never be replaced).
 * A compiled binary's main module lives in the embedded `deno-compile-<name>` file system.
 */
export function isCompiledBinary(
  execPath: string = Deno.execPath(),
  mainModule: string = Deno.mainModule,
): boolean {
  if (mainModule.includes("/deno-compile-")) return true;
  return !/^deno(\.exe)?$/.test(basename(execPath));
}

const SHELLS = new Set(["sh", "bash", "dash", "zsh", "ash", "busybox"]);

function isDenoTask(argv: string[] | undefined): boolean {
  return argv !== undefined && /^deno(\.exe)?$/.test(basename(argv[0] ?? "")) &&
    argv[1] === "task";
}

function isShellCommand(argv: string[] | undefined): boolean {
  return argv !== undefined && SHELLS.has(basename(argv[0] ?? "")) && argv[1] === "-c";
}

// npm names its process "npm exec <package> ..." (process.title); an older npx shows as
// `node .../npx-cli.js` or `npx`.
function isNpx(argv: string[] | undefined): boolean {
  if (argv === undefined) return false;
  const first = argv[0] ?? "";
  if (/^npm exec\b/.test(first) || basename(first) === "npx") return true;
  return /^node(js)?$/.test(basename(first)) &&
    argv.some((part) => /npx-cli\.js$|(^|\/)npx$/.test(part));
}

/**
 * Classify from the parents: `deno task` spawns `deno run` directly, npm runs its package's
 * binary through `sh -c`. Only launchers directly above this process count, so a test runner
 * or shell between them and us makes it a plain `deno run`.
 */
function fromAncestors(ancestors: string[][]): "run" | "task" | "npx_run" | "npx_task" {
  let at = 0;
  const task = isDenoTask(ancestors[at]);
  if (task) at++;
  if (isShellCommand(ancestors[at])) at++;
  const npx = isNpx(ancestors[at]);
  return npx ? (task ? "npx_task" : "npx_run") : task ? "task" : "run";
}

/**
 * Without `/proc`, the environment tells: `deno task` sets `npm_config_user_agent` to
 * `deno/…` unless npm set it first; `npx` sets `npm_lifecycle_event=npx`. A task runs in the
 * project directory, so under npx a working directory equal to it means a task.
 */
function fromEnv(
  env: Record<string, string>,
  projectDir: string | undefined,
  cwd: string | undefined,
): "run" | "task" | "npx_run" | "npx_task" {
  if (env.npm_lifecycle_event === "npx" || env.npm_command === "exec") {
    return cwd !== undefined && cwd === projectDir ? "npx_task" : "npx_run";
  }
  if ((env.npm_config_user_agent ?? "").startsWith("deno/")) return "task";
  return "run";
}

function findOnPath(name: string, env: Record<string, string>): string | undefined {
  for (const dir of (env.PATH ?? "").split(":")) {
    if (!dir) continue;
    try {
      const path = Deno.realPathSync(join(dir, name));
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

function realPath(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return path;
  }
}

function cwdOrUndefined(): string | undefined {
  try {
    return Deno.cwd();
  } catch {
    return undefined;
  }
}

/**
 * Find out how this process was started: compiled binary, `deno run`, `deno task`, or either
 * of them under `npx`. On Linux the parent processes decide (the environment is inherited
 * from launchers that did not start us directly); elsewhere the npm/deno environment
 * variables do.
 */
export function detectLaunch(options: DetectLaunchOptions = {}): Launch {
  const execPath = options.execPath ?? Deno.execPath();
  const mainModule = options.mainModule ?? Deno.mainModule;
  const denoVersion = options.denoVersion ?? Deno.version.deno;
  if (isCompiledBinary(execPath, mainModule)) {
    return { kind: "compiled", execPath, denoVersion, denoCommand: execPath };
  }
  const env = options.env ?? Deno.env.toObject();
  const mainPath = mainModule.startsWith("file:") ? fileURLToPath(mainModule) : undefined;
  const projectDir = mainPath === undefined ? undefined : dirname(mainPath);
  const ancestors = "ancestors" in options ? options.ancestors : readAncestors();
  const how = ancestors !== undefined
    ? fromAncestors(ancestors)
    : fromEnv(env, projectDir, cwdOrUndefined());
  const denoOnPath = "denoOnPath" in options ? options.denoOnPath : findOnPath("deno", env);
  const denoCommand = denoOnPath !== undefined && denoOnPath === realPath(execPath)
    ? "deno"
    : execPath;
  const kind: LaunchKind = how === "run" ? "deno_run" : how === "task" ? "deno_task" : how;
  return { kind, execPath, mainPath, projectDir, denoVersion, denoCommand };
}
