/**
 * The processes the dmsg benchmarks measure, each in its own OS process: our dmsg server, Go's
 * dmsg-server, a plain TCP relay, our dmsg file server, and Go's dmsghttp. Our own kinds are
 * this file run in child mode (`--child KIND ARG...`); each prints one JSON line when ready and
 * runs until SIGTERM. Also the per-process readings (RSS, CPU time) from /proc.
 *
 * @module
 */
import { join } from "node:path";
import { generateKeyPair } from "../../mod/cipher/mod.ts";
import { pipe } from "../../mod/conn/mod.ts";
import { DmsgClient, startDmsgServer } from "../../mod/dmsg/mod.ts";
import { serveHttp } from "../../mod/dmsg_http/mod.ts";
import { createLogger } from "../../mod/log/mod.ts";
import { freePort, waitForPort } from "../interop/_go_ref.ts";

const SELF = new URL(import.meta.url).pathname;
const CONFIG = new URL("./deno.json", import.meta.url).pathname;

/**
 * The V8 flags `deno task start` and the compiled binary run with (read from the root
 * deno.json), so that our processes here run as shipped.
 */
export const SHIPPED_V8_FLAGS: string[] = (() => {
  const root = JSON.parse(Deno.readTextFileSync(new URL("../../deno.json", import.meta.url)));
  return String(root.tasks.start).match(/--v8-flags=\S+/g) ?? [];
})();
const quiet = createLogger({ level: "fatal" });
const PROFILE_DIR = Deno.env.get("SKYWIRE_BENCH_CPU_PROF");
/**
 * With SKYWIRE_BENCH_CPU_PROF=DIR our processes write V8 CPU profiles (.cpuprofile) into DIR
 * when they stop, to see where a relay, a client or a discovery spends its time under the
 * bench's load.
 */
export const PROFILE_FLAGS: string[] = PROFILE_DIR
  ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`]
  : [];

/** A process under measurement; disposing it stops it (SIGTERM) and reaps it. */
export interface BenchProcess extends AsyncDisposable {
  /** Its process id, for /proc readings. */
  pid: number;
  /** Its dmsg public key (servers and file servers). */
  pk?: string;
  /** Its TCP address (relays). */
  address?: string;
}

async function readJsonLine(stream: ReadableStream<Uint8Array>): Promise<Record<string, unknown>> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`child ended before its JSON line: ${text}`);
    text += value;
    const newline = text.indexOf("\n");
    if (newline >= 0) {
      reader.releaseLock();
      return JSON.parse(text.slice(0, newline));
    }
  }
}

function stopper(child: Deno.ChildProcess, stdout?: ReadableStream): () => Promise<void> {
  return async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    await stdout?.cancel().catch(() => {});
    await child.status;
  };
}

/**
 * The command line that runs bench module `script` as our processes run: the shipped V8 flags,
 * the profile flags when asked for, the bench's config.
 */
export function ourDenoCommand(script: string): string[] {
  return [
    Deno.execPath(),
    "run",
    "-A",
    ...SHIPPED_V8_FLAGS,
    ...PROFILE_FLAGS,
    "--config",
    CONFIG,
    script,
  ];
}

async function ourChild(args: string[]): Promise<BenchProcess> {
  const [deno, ...run] = ourDenoCommand(SELF);
  const child = new Deno.Command(deno, {
    args: [...run, "--child", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const info = await readJsonLine(child.stdout);
  return {
    pid: child.pid,
    pk: info.pk === undefined ? undefined : String(info.pk),
    address: info.address === undefined ? undefined : String(info.address),
    [Symbol.asyncDispose]: stopper(child, child.stdout),
  };
}

/** Our dmsg server, registered in `discovery`. */
export function ourServerProcess(discovery: string): Promise<BenchProcess> {
  return ourChild(["server", discovery]);
}

/** A plain TCP relay to `target` (host:port): the ceiling, no Noise, no yamux. */
export function tcpRelayProcess(target: string): Promise<BenchProcess> {
  return ourChild(["relay", target]);
}

/** Our dmsg client serving the files of `dir` over dmsg HTTP on port 80. */
export function ourFileServerProcess(discovery: string, dir: string): Promise<BenchProcess> {
  return ourChild(["files", discovery, dir]);
}

/** Go's dmsg-server from `bin`, registered in `discovery`. */
export async function goServerProcess(
  bin: string,
  discovery: string,
  dir: string,
): Promise<BenchProcess> {
  const configPath = join(dir, `go-dmsg-server-${crypto.randomUUID()}.json`);
  await new Deno.Command(join(bin, "dmsg-server"), {
    args: ["config", "gen", "-o", configPath],
    stdout: "null",
    stderr: "null",
  }).output();
  const config = JSON.parse(await Deno.readTextFile(configPath));
  const port = freePort();
  Object.assign(config, {
    discovery,
    public_address: `127.0.0.1:${port}`,
    local_address: `127.0.0.1:${port}`,
    health_endpoint_address: `127.0.0.1:${freePort()}`,
    log_level: "error",
  });
  await Deno.writeTextFile(configPath, JSON.stringify(config));
  const child = new Deno.Command(join(bin, "dmsg-server"), {
    args: ["start", configPath],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  await waitForPort(port);
  return {
    pid: child.pid,
    pk: config.public_key,
    address: `127.0.0.1:${port}`,
    [Symbol.asyncDispose]: stopper(child),
  };
}

/** Go's dmsghttp from `bin` serving `dir` on dmsg port 80, ready once it logs "Serving". */
export async function goFileServerProcess(
  bin: string,
  discovery: string,
  dir: string,
): Promise<BenchProcess> {
  const keys = generateKeyPair();
  const child = new Deno.Command(join(bin, "dmsghttp"), {
    args: ["-D", discovery, "-s", keys.sk.hex(), "-p", "80", "-d", dir],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Both outputs are drained for the process's whole life; "Serving" on either means ready.
  const { promise: ready, resolve } = Promise.withResolvers<void>();
  const watch = async (stream: ReadableStream<Uint8Array>) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      if (text.includes("Serving")) resolve();
    }
  };
  const draining = Promise.all([watch(child.stdout), watch(child.stderr)]);
  const timer = setTimeout(() => resolve(), 30_000);
  await ready;
  clearTimeout(timer);
  return {
    pid: child.pid,
    pk: keys.pk.hex(),
    async [Symbol.asyncDispose]() {
      await stopper(child)();
      await draining.catch(() => {});
    },
  };
}

/** Resident set size of `pid`, bytes. */
export function rssBytes(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) * 1024;
}

/** CPU time (user + system) `pid` has used so far, ms (clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // Fields after the command name (which may hold spaces) start at ") ".
  const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

// --- child mode --------------------------------------------------------------------------

/**
 * One of our clients with a fresh key pair, on the servers `discovery` lists, once its entry
 * names one (for the child processes here and in `_dmsg_peer.ts`).
 */
export async function startQuietClient(discovery: string): Promise<DmsgClient> {
  const keys = generateKeyPair();
  const client = new DmsgClient({
    pk: keys.pk,
    sk: keys.sk,
    discovery,
    clientType: "",
    updateDebounceMs: 50,
    logger: quiet,
  });
  await client.start();
  await client.ready(AbortSignal.timeout(30_000));
  return client;
}

async function serveFiles(discovery: string, dir: string): Promise<() => Promise<void>> {
  const client = await startQuietClient(discovery);
  const server = serveHttp(client.listen(80), async (request) => {
    const name = new URL(request.url).pathname.slice(1);
    if (!/^[\w.-]+$/.test(name)) return new Response("not found", { status: 404 });
    try {
      const path = join(dir, name);
      const size = (await Deno.stat(path)).size;
      const file = await Deno.open(path);
      return new Response(file.readable, { headers: { "content-length": String(size) } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  console.log(JSON.stringify({ pk: client.pk.hex() }));
  return async () => {
    await server.shutdown();
    await client.close();
  };
}

function tcpRelay(target: string): () => Promise<void> {
  const [hostname, port] = [target.split(":")[0], Number(target.split(":")[1])];
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  console.log(JSON.stringify({ address: `127.0.0.1:${listener.addr.port}` }));
  (async () => {
    for await (const conn of listener) {
      conn.setNoDelay(true);
      Deno.connect({ hostname, port }).then((out) => {
        out.setNoDelay(true);
        pipe(conn, out, { bufferSize: 64 * 1024 });
      }, () => conn.close());
    }
  })();
  return () => Promise.resolve(listener.close());
}

async function child(kind: string, args: string[]): Promise<void> {
  const stopped = new Promise<void>((resolve) => Deno.addSignalListener("SIGTERM", resolve));
  let stop: () => Promise<void>;
  if (kind === "server") {
    const keys = generateKeyPair();
    const server = await startDmsgServer({
      pk: keys.pk,
      sk: keys.sk,
      addr: "127.0.0.1:0",
      discovery: args[0],
      logger: quiet,
    });
    console.log(JSON.stringify({ pk: server.pk.hex(), address: server.address }));
    stop = () => server.close();
  } else if (kind === "files") {
    stop = await serveFiles(args[0], args[1]);
  } else {
    stop = tcpRelay(args[0]);
  }
  await stopped;
  await stop();
  Deno.exit(0);
}

if (import.meta.main) {
  const at = Deno.args.indexOf("--child");
  await child(Deno.args[at + 1], Deno.args.slice(at + 2));
}
