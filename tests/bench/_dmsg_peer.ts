/**
 * One dmsg client in its own process, timing stream opens and moving bytes: ours (this file in
 * child mode) or Go's (tests/interop/go/dmsgpeer, built outside the repo). Both take the same
 * arguments, speak the same stream protocol and print the same JSON lines, so the whole-stack
 * benchmark drives them alike:
 *
 *     listen DISC PORT               accept streams on PORT until SIGTERM
 *     dial DISC PK PORT OPENS MIB    open OPENS streams to PK:PORT, then move MIB MiB over one
 *
 * Lines: `{"event":"ready","pk":…}` once the client's entry names its server, then for the
 * dialer `{"event":"opens","ms":[…]}` (each open from the dial call to the stream being ready)
 * and `{"event":"throughput","bytes":…,"seconds":…}` (first byte written to the sink's ack).
 * The dialer waits for a line on stdin before each phase and before it exits, so that the
 * caller can read every process's CPU time at the phase boundaries. Stream protocol: the dialer sends an 8-byte
 * big-endian count N and N bytes, the listener answers one byte; an open-only stream is closed
 * without a byte.
 *
 * @module
 */
import { deadline } from "@std/async";
import { PubKey } from "../../mod/cipher/mod.ts";
import { readFull, readFullOrEof, writeAll } from "../../mod/conn/mod.ts";
import type { DmsgClient, DmsgStream } from "../../mod/dmsg/mod.ts";
import { ourDenoCommand, startQuietClient } from "./_dmsg_processes.ts";

const CHUNK = 64 * 1024;
const EVENT_TIMEOUT_MS = 300_000;

/** How to start a peer: the program and its leading arguments. */
export type PeerProgram = string[];

/** Our peer: this file in child mode, with the flags the shipped binary runs with. */
export const OUR_PEER: PeerProgram = ourDenoCommand(new URL(import.meta.url).pathname);

/** Lines of `stream`, without their newlines. */
async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let text = "";
  for await (const piece of stream.pipeThrough(new TextDecoderStream())) {
    text += piece;
    for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n")) {
      yield text.slice(0, at);
      text = text.slice(at + 1);
    }
  }
}

/** One JSON line a peer printed. */
export type PeerEvent = Record<string, unknown>;

/** A running peer; disposing it stops it (SIGTERM) and reaps it. */
export interface PeerProcess extends AsyncDisposable {
  /** Its process id, for /proc readings. */
  pid: number;
  /** Its dmsg public key (from the ready line). */
  pk: string;
  /** Write one line to its stdin (the dialer's go-ahead), then read its next event. */
  step(): Promise<PeerEvent>;
}

/** Start `program` with `args`; resolves once it printed its ready line. */
export async function peerProcess(program: PeerProgram, args: string[]): Promise<PeerProcess> {
  const child = new Deno.Command(program[0], {
    args: [...program.slice(1), ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const output = lines(child.stdout);
  const stdin = child.stdin.getWriter();
  const next = async (): Promise<PeerEvent> => {
    const { value, done } = await deadline(output.next(), EVENT_TIMEOUT_MS).catch((error) => {
      throw error?.name === "TimeoutError" ? new Error("peer went quiet") : error;
    });
    if (done) throw new Error(`peer ${program[0]} ${args[0]} exited`);
    const event = JSON.parse(value);
    if (event.event === "error") throw new Error(`peer ${args[0]}: ${event.error}`);
    return event;
  };
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    await stdin.close().catch(() => {});
    await output.return(undefined).catch(() => {});
    await child.status;
  };
  try {
    const ready = await next();
    return {
      pid: child.pid,
      pk: String(ready.pk),
      async step() {
        await stdin.write(new TextEncoder().encode("\n"));
        return await next();
      },
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

// --- child mode: our peer ------------------------------------------------------------------

async function startClient(discovery: string): Promise<DmsgClient> {
  const client = await startQuietClient(discovery);
  console.log(JSON.stringify({ event: "ready", pk: client.pk.hex() }));
  return client;
}

// The count and that many bytes, then a one-byte ack; an open-only stream just ends.
async function sink(stream: DmsgStream): Promise<void> {
  try {
    const header = new Uint8Array(8);
    if (!await readFullOrEof(stream, header)) return;
    const want = new DataView(header.buffer).getBigUint64(0);
    const buf = new Uint8Array(CHUNK);
    let got = 0n;
    while (got < want) {
      const n = await stream.read(buf);
      if (n === null) return;
      got += BigInt(n);
    }
    await writeAll(stream, Uint8Array.of(1));
  } catch {
    // A broken stream ends the sink; the dialer reports it.
  } finally {
    stream.close();
  }
}

async function listen(discovery: string, port: number): Promise<void> {
  const client = await startClient(discovery);
  const listener = client.listen(port);
  const stopped = new Promise<void>((resolve) => Deno.addSignalListener("SIGTERM", resolve));
  (async () => {
    for await (const stream of listener) sink(stream);
  })();
  await stopped;
  listener.close();
  await client.close();
}

async function dial(discovery: string, pk: string, port: number, opens: number, mib: number) {
  const client = await startClient(discovery);
  const stdin = lines(Deno.stdin.readable);
  const addr = { pk: PubKey.fromHex(pk), port };
  await stdin.next();
  const ms: number[] = [];
  for (let i = 0; i < opens; i++) {
    const start = performance.now();
    const stream = await client.dialStream(addr, { signal: AbortSignal.timeout(20_000) });
    ms.push(Number((performance.now() - start).toFixed(3)));
    stream.close();
  }
  console.log(JSON.stringify({ event: "opens", ms }));
  if (mib > 0) {
    await stdin.next();
    const stream = await client.dialStream(addr, { signal: AbortSignal.timeout(20_000) });
    const bytes = mib * 1024 * 1024;
    const block = new Uint8Array(CHUNK).fill(0x5a);
    const start = performance.now();
    const header = new Uint8Array(8);
    new DataView(header.buffer).setBigUint64(0, BigInt(bytes));
    await writeAll(stream, header);
    for (let sent = 0; sent < bytes; sent += CHUNK) await writeAll(stream, block);
    await readFull(stream, header.subarray(0, 1), "ack");
    const seconds = (performance.now() - start) / 1000;
    console.log(JSON.stringify({ event: "throughput", bytes, seconds }));
    stream.close();
    // Stay until the caller has read our CPU time (it closes stdin, or stops us, when done).
    await stdin.next();
  }
  await client.close();
}

if (import.meta.main) {
  const [mode, discovery, ...rest] = Deno.args;
  // A dialer stopped before it finished still exits normally, so --cpu-prof writes its profile.
  if (mode === "dial") Deno.addSignalListener("SIGTERM", () => Deno.exit(0));
  try {
    if (mode === "listen") await listen(discovery, Number(rest[0]));
    else await dial(discovery, rest[0], Number(rest[1]), Number(rest[2]), Number(rest[3]));
  } catch (error) {
    console.log(JSON.stringify({ event: "error", error: String(error) }));
    Deno.exit(1);
  }
  Deno.exit(0);
}
