/**
 * The relays the dmsg benchmark measures, each in its own process: our dmsg server and a plain
 * TCP relay (this file in child mode, `--child server|relay ARG`), and Go's dmsg-server.
 *
 * @module
 */
import { join } from "node:path";
import { generateKeyPair } from "../../mod/cipher/mod.ts";
import { pipe } from "../../mod/conn/mod.ts";
import { startDmsgServer } from "../../mod/dmsg/mod.ts";
import { createLogger } from "../../mod/log/mod.ts";

// The TCP relay copies through buffers this big (the benchmark writes in chunks of it too).
const CHUNK = 64 * 1024;
const quiet = createLogger({ level: "fatal" });
const SELF = new URL(import.meta.url).pathname;

/** A relay process: ours (this file in child mode) or Go's dmsg-server. */
export interface RelayProcess extends AsyncDisposable {
  pid: number;
  /** dmsg relays: the server's key and address. */
  pk?: string;
  address: string;
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

function spawnChild(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SELF, "--child", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
}

function disposer(child: Deno.ChildProcess): () => Promise<void> {
  return async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    await child.stdout.cancel().catch(() => {});
    await child.status;
  };
}

export async function ourServerProcess(discovery: string): Promise<RelayProcess> {
  const child = spawnChild(["server", discovery]);
  const info = await readJsonLine(child.stdout);
  return {
    pid: child.pid,
    pk: String(info.pk),
    address: String(info.address),
    [Symbol.asyncDispose]: disposer(child),
  };
}

export async function tcpRelayProcess(target: string): Promise<RelayProcess> {
  const child = spawnChild(["relay", target]);
  const info = await readJsonLine(child.stdout);
  return { pid: child.pid, address: String(info.address), [Symbol.asyncDispose]: disposer(child) };
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  return port;
}

export async function goServerProcess(
  bin: string,
  discovery: string,
  dir: string,
): Promise<RelayProcess> {
  const configPath = join(dir, "go-dmsg-server.json");
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
  for (let i = 0;; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch {
      if (i > 200) throw new Error("Go dmsg-server did not start");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    pid: child.pid,
    pk: config.public_key,
    address: `127.0.0.1:${port}`,
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      await child.status;
    },
  };
}

/** Child mode: our dmsg server, or a plain TCP relay; prints one JSON line, runs until killed. */
async function child(kind: string, arg: string): Promise<void> {
  const stopped = new Promise<void>((resolve) => Deno.addSignalListener("SIGTERM", resolve));
  if (kind === "server") {
    const keys = generateKeyPair();
    const server = await startDmsgServer({
      pk: keys.pk,
      sk: keys.sk,
      addr: "127.0.0.1:0",
      discovery: arg,
      logger: quiet,
    });
    console.log(JSON.stringify({ pk: server.pk.hex(), address: server.address }));
    await stopped;
    await server.close();
  } else {
    const [hostname, port] = [arg.split(":")[0], Number(arg.split(":")[1])];
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    console.log(JSON.stringify({ address: `127.0.0.1:${listener.addr.port}` }));
    (async () => {
      for await (const conn of listener) {
        conn.setNoDelay(true);
        Deno.connect({ hostname, port }).then((out) => {
          out.setNoDelay(true);
          pipe(conn, out, { bufferSize: CHUNK });
        }, () => conn.close());
      }
    })();
    await stopped;
    listener.close();
  }
  Deno.exit(0);
}

if (import.meta.main) {
  const at = Deno.args.indexOf("--child");
  if (at >= 0) await child(Deno.args[at + 1], Deno.args[at + 2]);
}
