/** `deno run -A main.ts ...` as a child process, the way operators run the CLI. */
import type { UpInfo } from "../../services/up/mod.ts";

/** The repository's `main.ts`. */
export const MAIN = new URL("../../main.ts", import.meta.url).pathname;
/** The repository root (where `deno.json` and its tasks are). */
export const REPO_ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const decoder = new TextDecoder();

/** The result of a finished `skywire` run. */
export interface SkywireResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Where and how long a finished run may take (`env` is added to the inherited environment). */
export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Run `skywire ARGS` to completion. */
export function skywire(args: string[], options: RunOptions = {}): Promise<SkywireResult> {
  return run(Deno.execPath(), ["run", "-A", MAIN, ...args], options);
}

/** Run a command line with `sh -c`, as a person pastes it into a terminal. */
export function shell(line: string, options: RunOptions = {}): Promise<SkywireResult> {
  return run("sh", ["-c", line], options);
}

async function run(program: string, args: string[], options: RunOptions): Promise<SkywireResult> {
  const out = await new Deno.Command(program, {
    args,
    cwd: options.cwd,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
  }).output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/** A long-running `skywire` child: its output as it comes, signals, and its exit. */
export class SkywireProcess implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #stdout: string[] = [];
  readonly #stderr: string[] = [];
  #waiters: Array<() => void> = [];
  readonly #done: Promise<void>;

  /**
   * Start `skywire ARGS`: by default `deno run -A main.ts ARGS`; `launcher` replaces the
   * words before ARGS (e.g. `["npx", "-y", "deno@2.9.6", "task", "skywire"]`).
   */
  constructor(
    args: string[],
    options: { cwd?: string; launcher?: string[]; env?: Record<string, string> } = {},
  ) {
    const [program, ...words] = options.launcher ?? [Deno.execPath(), "run", "-A", MAIN];
    this.#child = new Deno.Command(program, {
      args: [...words, ...args],
      cwd: options.cwd,
      env: options.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#done = Promise.all([
      this.#collect(this.#child.stdout, this.#stdout),
      this.#collect(this.#child.stderr, this.#stderr),
    ]).then(() => {
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  async #collect(stream: ReadableStream<Uint8Array>, into: string[]): Promise<void> {
    let rest = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + text).split("\n");
      rest = parts.pop()!;
      into.push(...parts);
      for (const wake of this.#waiters.splice(0)) wake();
    }
    if (rest) into.push(rest);
  }

  /** The process id of the child (which may be a launcher such as npx). */
  get pid(): number {
    return this.#child.pid;
  }

  /** Lines printed on stdout so far. */
  get stdout(): string[] {
    return this.#stdout;
  }

  /** Lines logged on stderr so far. */
  get stderr(): string[] {
    return this.#stderr;
  }

  /** Wait for a stdout line matching `pattern` (within `ms`). */
  async line(
    pattern: RegExp,
    ms = 30_000,
    stream: "stdout" | "stderr" = "stdout",
  ): Promise<string> {
    const lines = stream === "stdout" ? this.#stdout : this.#stderr;
    const end = Date.now() + ms;
    for (;;) {
      const found = lines.find((line) => pattern.test(line));
      if (found !== undefined) return found;
      if (Date.now() > end) {
        throw new Error(
          `no ${stream} line matching ${pattern}; stderr:\n${this.#stderr.join("\n")}`,
        );
      }
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#waiters.push(resolve);
      const timer = setTimeout(resolve, 200);
      await Promise.race([promise, this.#done]);
      clearTimeout(timer);
      this.#waiters = this.#waiters.filter((w) => w !== resolve);
    }
  }

  /** Send `signal`, wait for the exit (see {@linkcode exit}) and return its code and the log. */
  async stop(signal: Deno.Signal): Promise<{ code: number; stderr: string }> {
    this.kill(signal);
    const code = await this.exit();
    return { code, stderr: this.#stderr.join("\n") };
  }

  /** Send a signal. */
  kill(signal: Deno.Signal): void {
    try {
      this.#child.kill(signal);
    } catch {
      // Already exited.
    }
  }

  /**
   * Wait for the exit. A process still running after `guardMs` is killed and reported (a
   * guard so a broken shutdown fails the test instead of hanging it).
   */
  async exit(guardMs = 15_000): Promise<number> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const guard = new Promise<"guard">((resolve) =>
      timer = setTimeout(() => resolve("guard"), guardMs)
    );
    const result = await Promise.race([this.#child.status, guard]);
    clearTimeout(timer);
    if (result === "guard") {
      this.kill("SIGKILL");
      await this.#child.status;
      await this.#done;
      throw new Error(
        `process did not exit within ${guardMs} ms; stderr:\n${this.#stderr.join("\n")}`,
      );
    }
    await this.#done;
    return result.code;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.kill("SIGKILL");
    await this.#child.status;
    await this.#done;
  }
}

const UP_PORT_FLAGS = [
  "--discovery-port",
  "--server-port",
  "--transport-discovery-port",
  "--address-resolver-port",
  "--route-finder-port",
  "--cli-port",
  "--exit-cli-port",
  "--socks-port",
  "--ui-port",
];

/**
 * The port flags of `skywire up`, every service on a free port (the defaults may be taken on a
 * shared machine); `overrides` sets chosen flags (e.g. `{ "--discovery-port": "4321" }`).
 */
export function upPorts(overrides: Record<string, string> = {}): string[] {
  return UP_PORT_FLAGS.flatMap((flag) => [flag, overrides[flag] ?? "0"]);
}

/** How {@linkcode startUp} starts `skywire up`. */
export interface StartUpOptions {
  /** Flags after the data directory and the free ports. */
  extra?: string[];
  /** Port flags to set instead of 0 (see {@linkcode upPorts}). */
  ports?: Record<string, string>;
  /** See {@linkcode SkywireProcess}. */
  launcher?: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** How long to wait for the JSON line. */
  timeoutMs?: number;
}

/**
 * Start `skywire up --json --data DATA` with every port free and wait for its JSON line (an
 * {@linkcode UpInfo}). The
 * caller owns the returned process; on a failed start it is killed here.
 */
export async function startUp(
  data: string,
  options: StartUpOptions = {},
): Promise<{ up: SkywireProcess; info: UpInfo }> {
  const up = new SkywireProcess(
    ["up", "--json", "--data", data, ...upPorts(options.ports), ...options.extra ?? []],
    { launcher: options.launcher, cwd: options.cwd, env: options.env },
  );
  try {
    const info: UpInfo = JSON.parse(await up.line(/^\{/, options.timeoutMs ?? 60_000));
    return { up, info };
  } catch (error) {
    await up[Symbol.asyncDispose]();
    throw error;
  }
}
