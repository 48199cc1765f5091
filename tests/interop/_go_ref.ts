/**
 * The Go reference dmsg programs for the interop tests: `dmsg-discovery`, `dmsg-server`,
 * `dmsghttp` and `dmsgget` from github.com/skycoin/dmsg, plus a Redis for the Go discovery.
 *
 * Where the binaries come from, in order:
 * 1. `SKYWIRE_GO_REF_BIN=/dir` naming a directory that holds all four;
 * 2. `go install github.com/skycoin/dmsg/cmd/<name>@<DMSG_GO_REF_VERSION>` into a temp GOBIN
 *    (the Go module proxy answers 403 for skycoin modules today, so this usually fails).
 * When neither works the tests are registered as ignored and a one-line reason is printed:
 * never a pass without the Go side.
 *
 * Go flags used (dmsg 2023, commit 9c8b80bd):
 * - `dmsg-discovery -t -a 127.0.0.1:PORT --redis redis://127.0.0.1:RPORT` (test mode accepts
 *   loopback server addresses; Redis is required even in test mode);
 * - `dmsg-server config gen -o FILE`, then `discovery`, `public_address`, `local_address` and
 *   `health_endpoint_address` set to loopback in FILE, then `dmsg-server start FILE`;
 * - `dmsghttp -D DISC -s SK -p 80 -d DIR` serves DIR; it logs `Serving...` when listening;
 * - `dmsgget -d DISC -o FILE dmsg://PK:80/PATH` saves the body to the new FILE (exit 0 on
 *   success; it waits until its own entry is published before fetching).
 *
 * @module
 */
import { join } from "node:path";
export { freePort } from "../_util/ports.ts";
import { freePort } from "../_util/ports.ts";

/** The dmsg version `go install` asks for: the 2023 commit the reference tree was taken at. */
export const DMSG_GO_REF_VERSION = "9c8b80bd";
/** The programs the tests need. */
export const GO_REF_PROGRAMS = ["dmsg-discovery", "dmsg-server", "dmsghttp", "dmsgget"] as const;
const INSTALL_TIMEOUT_MS = 180_000;

/** Where the Go programs are, or why they are not available. */
export type GoReference = { bin: string; source: string } | { skip: string };

async function executable(path: string): Promise<boolean> {
  try {
    const info = await Deno.stat(path);
    return info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}

async function missingIn(dir: string): Promise<string[]> {
  const missing: string[] = [];
  for (const name of GO_REF_PROGRAMS) if (!(await executable(join(dir, name)))) missing.push(name);
  return missing;
}

async function goInstall(): Promise<GoReference> {
  try {
    await new Deno.Command("go", { args: ["version"], stdout: "null", stderr: "null" }).output();
  } catch {
    return { skip: "SKYWIRE_GO_REF_BIN is not set and go is not on PATH" };
  }
  const gobin = await Deno.makeTempDir({ prefix: "skywire-go-ref-" });
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(gobin, { recursive: true });
    } catch {
      // Best effort: only build output.
    }
  });
  const packages = GO_REF_PROGRAMS.map((name) =>
    `github.com/skycoin/dmsg/cmd/${name}@${DMSG_GO_REF_VERSION}`
  );
  const out = await new Deno.Command("go", {
    args: ["install", ...packages],
    env: { GOBIN: gobin, GOFLAGS: "-mod=mod", GOTOOLCHAIN: "local" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(INSTALL_TIMEOUT_MS),
  }).output().catch((error) => ({ success: false, stderr: new TextEncoder().encode(`${error}`) }));
  if (!out.success) {
    const lines = new TextDecoder().decode(out.stderr).trim().split("\n");
    return {
      skip: `SKYWIRE_GO_REF_BIN is not set and go install of github.com/skycoin/dmsg@` +
        `${DMSG_GO_REF_VERSION} failed (${lines.at(-1)?.trim()})`,
    };
  }
  return { bin: gobin, source: `go install @${DMSG_GO_REF_VERSION}` };
}

let found: Promise<GoReference> | undefined;

/** Find (once per process) the Go reference programs. */
export function findGoReference(): Promise<GoReference> {
  found ??= (async () => {
    const dir = Deno.env.get("SKYWIRE_GO_REF_BIN");
    if (dir) {
      const missing = await missingIn(dir);
      if (missing.length > 0) {
        return { skip: `SKYWIRE_GO_REF_BIN=${dir} lacks ${missing.join(", ")}` };
      }
      return { bin: dir, source: `SKYWIRE_GO_REF_BIN=${dir}` };
    }
    return await goInstall();
  })();
  return found;
}

/** Whether `redis-server` can be started. */
export async function redisAvailable(): Promise<string | undefined> {
  try {
    await new Deno.Command("redis-server", { args: ["--version"], stdout: "null" }).output();
    return undefined;
  } catch {
    return "redis-server is not on PATH (the Go dmsg-discovery needs Redis)";
  }
}

/** Wait until a TCP connect to 127.0.0.1:`port` works. */
export async function waitForPort(port: number, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return;
    } catch {
      if (Date.now() > end) throw new Error(`nothing listens on 127.0.0.1:${port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** A child process with its output kept as lines; killed and reaped on dispose. */
export class ChildProcess implements AsyncDisposable {
  readonly name: string;
  readonly #child: Deno.ChildProcess;
  readonly #lines: string[] = [];
  readonly #done: Promise<void>;

  /** Start `command ARGS`. */
  constructor(
    command: string,
    args: string[],
    options: { cwd?: string; name?: string; env?: Record<string, string> } = {},
  ) {
    this.name = options.name ?? command;
    this.#child = new Deno.Command(command, {
      args,
      cwd: options.cwd,
      env: options.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#done = Promise.all([
      this.#collect(this.#child.stdout),
      this.#collect(this.#child.stderr),
    ]).then(() => {});
  }

  async #collect(stream: ReadableStream<Uint8Array>): Promise<void> {
    let rest = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + text).split("\n");
      rest = parts.pop()!;
      this.#lines.push(...parts);
    }
    if (rest) this.#lines.push(rest);
  }

  /** Output so far (stdout and stderr interleaved by arrival). */
  get output(): string {
    return this.#lines.join("\n");
  }

  /** Wait for an output line matching `pattern`. */
  async line(pattern: RegExp, ms = 30_000): Promise<string> {
    const end = Date.now() + ms;
    for (;;) {
      const found = this.#lines.find((line) => pattern.test(line));
      if (found !== undefined) return found;
      if (Date.now() > end) {
        throw new Error(`${this.name}: no line matching ${pattern}; output:\n${this.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Wait for the process to end (killed after `ms`); resolves its exit code. */
  async exit(ms = 120_000): Promise<number> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const guard = new Promise<"guard">((resolve) => timer = setTimeout(() => resolve("guard"), ms));
    const result = await Promise.race([this.#child.status, guard]);
    clearTimeout(timer);
    if (result === "guard") {
      await this[Symbol.asyncDispose]();
      throw new Error(`${this.name} did not finish within ${ms} ms; output:\n${this.output}`);
    }
    await this.#done;
    return result.code;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.#child.kill("SIGTERM");
    } catch {
      // Already exited.
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((resolve) => timer = setTimeout(resolve, 3_000));
    await Promise.race([this.#child.status, grace]);
    clearTimeout(timer);
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // Exited within the grace period.
    }
    await this.#child.status;
    await this.#done;
  }
}

/** A Redis on a free port with nothing saved to disk. */
export async function startRedis(): Promise<ChildProcess & { url: string }> {
  const port = freePort();
  const redis = new ChildProcess("redis-server", [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
  ], { name: "redis-server" });
  await waitForPort(port);
  return Object.assign(redis, { url: `redis://127.0.0.1:${port}` });
}

/** The Go dmsg-discovery (test mode) on a free port, using `redisUrl`. */
export async function startGoDiscovery(
  bin: string,
  redisUrl: string,
): Promise<ChildProcess & { url: string }> {
  const port = freePort();
  const discovery = new ChildProcess(join(bin, "dmsg-discovery"), [
    "-t",
    "-a",
    `127.0.0.1:${port}`,
    "--redis",
    redisUrl,
  ], { name: "go dmsg-discovery" });
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 20_000;
  for (;;) {
    const ok = await fetch(`${url}/health`).then(async (r) => {
      await r.body?.cancel();
      return r.ok;
    }, () => false);
    if (ok) break;
    if (Date.now() > end) {
      await discovery[Symbol.asyncDispose]();
      throw new Error(`go dmsg-discovery did not answer; output:\n${discovery.output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Object.assign(discovery, { url });
}

/** The Go dmsg-server on free loopback ports, registered in `discovery`. */
export async function startGoServer(
  bin: string,
  discovery: string,
  dir: string,
): Promise<ChildProcess & { pk: string; address: string }> {
  const configPath = join(dir, "dmsg-server.json");
  const gen = await new Deno.Command(join(bin, "dmsg-server"), {
    args: ["config", "gen", "-o", configPath],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!gen.success) {
    throw new Error(`dmsg-server config gen failed: ${new TextDecoder().decode(gen.stderr)}`);
  }
  const config = JSON.parse(await Deno.readTextFile(configPath));
  const port = freePort();
  config.discovery = discovery;
  config.public_address = `127.0.0.1:${port}`;
  config.local_address = `127.0.0.1:${port}`;
  config.health_endpoint_address = `127.0.0.1:${freePort()}`;
  await Deno.writeTextFile(configPath, JSON.stringify(config, null, 2));
  const server = new ChildProcess(join(bin, "dmsg-server"), ["start", configPath], {
    name: "go dmsg-server",
  });
  await waitForPort(port);
  return Object.assign(server, { pk: config.public_key as string, address: `127.0.0.1:${port}` });
}

/** Go's dmsghttp serving `dir` on dmsg port 80 with the key `sk` (hex). */
export async function startGoHttp(
  bin: string,
  discovery: string,
  sk: string,
  dir: string,
): Promise<ChildProcess> {
  const http = new ChildProcess(join(bin, "dmsghttp"), [
    "-D",
    discovery,
    "-s",
    sk,
    "-p",
    "80",
    "-d",
    dir,
  ], {
    name: "go dmsghttp",
  });
  await http.line(/Serving/);
  return http;
}

/** Go's dmsgget: fetch `url` into the new file `outFile`; resolves the exit code and output. */
export async function goGet(
  bin: string,
  discovery: string,
  url: string,
  outFile: string,
): Promise<{ code: number; output: string }> {
  await using get = new ChildProcess(join(bin, "dmsgget"), ["-d", discovery, "-o", outFile, url], {
    name: "go dmsgget",
  });
  const code = await get.exit();
  return { code, output: get.output };
}
