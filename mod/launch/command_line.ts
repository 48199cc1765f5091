import type { Launch } from "./launch.ts";

/** The `deno task` that runs skywire with the arguments after it (see `deno.json`). */
export const SKYWIRE_TASK = "skywire";

/**
 * The runtime flags skywire ships with under `deno run` (the `start`, `skywire` and `build`
 * tasks in `deno.json` repeat them; a test keeps them equal): no V8 code cache and V8 flags that
 * keep the heap small (see the README's "Runtime flags"). A service unit or a printed command
 * line that ran `main.ts` without them would hold more memory than the task does.
 */
export const RUNTIME_FLAGS: readonly string[] = [
  "--no-code-cache",
  "--v8-flags=--max-semi-space-size=4,--optimize-for-size,--no-concurrent-recompilation",
];

/** Quote one word for a POSIX shell; plain words (paths, URLs, keys) stay as they are. */
export function shellQuote(word: string): string {
  if (word !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}

function mainOf(launch: Launch): string {
  if (launch.mainPath === undefined) {
    throw new Error(`cannot tell where main.ts is (launched as ${launch.kind})`);
  }
  return launch.mainPath;
}

/**
 * The words a person types to run `skywire ARGS` the way this process was started: the
 * binary's path, `deno run -A MAIN`, `deno task skywire`, or the same through
 * `npx -y deno@VERSION` (which needs nothing but Node.js/npm). Task forms run in
 * {@linkcode Launch.projectDir}; the others from anywhere.
 */
export function shellWords(launch: Launch, args: readonly string[]): string[] {
  const npx = ["npx", "-y", `deno@${launch.denoVersion}`];
  switch (launch.kind) {
    case "compiled":
      return [launch.execPath, ...args];
    case "deno_run":
      return [launch.denoCommand, "run", "-A", mainOf(launch), ...args];
    case "deno_task":
      return [launch.denoCommand, "task", SKYWIRE_TASK, ...args];
    case "npx_run":
      return [...npx, "run", "-A", mainOf(launch), ...args];
    case "npx_task":
      return [...npx, "task", SKYWIRE_TASK, ...args];
  }
}

/** {@linkcode shellWords} as one shell-quoted line. */
export function shellCommand(launch: Launch, args: readonly string[]): string {
  return shellWords(launch, args).map(shellQuote).join(" ");
}

/** Whether the {@linkcode shellCommand} only works in {@linkcode Launch.projectDir}. */
export function needsProjectDir(launch: Launch): boolean {
  return launch.kind === "deno_task" || launch.kind === "npx_task";
}

/**
 * The program and arguments a service manager runs for `skywire ARGS`: absolute paths, no
 * shell, no npx: the compiled binary itself, or the Deno runtime running `main.ts` with the
 * permissions, unstable APIs and {@linkcode RUNTIME_FLAGS} the node needs (given explicitly,
 * since a unit does not run inside `deno task`).
 */
export function serviceCommand(launch: Launch, args: readonly string[]): string[] {
  if (launch.kind === "compiled") return [launch.execPath, ...args];
  return [launch.execPath, "run", "-A", "--unstable-kv", ...RUNTIME_FLAGS, mainOf(launch), ...args];
}
