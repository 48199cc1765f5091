/**
 * Measurements with our dmsg clients (both ends in the bench process) through a relay in its
 * own process: stream-open latency, throughput, the relay's CPU time per MiB, and the relay's
 * memory per idle session.
 *
 * @module
 */
import { generateKeyPair, PubKey } from "../../mod/cipher/mod.ts";
import { writeAll } from "../../mod/conn/mod.ts";
import {
  dialSession,
  DmsgClient,
  type DmsgSession,
  emptyServerInfo,
  zeroEntry,
} from "../../mod/dmsg/mod.ts";
import { createLogger } from "../../mod/log/mod.ts";
import { type BenchProcess, cpuMs, rssBytes, tcpRelayProcess } from "./_dmsg_processes.ts";

/** MiB. */
export const MIB = 1024 * 1024;
const CHUNK = 64 * 1024;
/** Stream opens per latency run. */
export const OPENS = 300;
const IDLE_SESSIONS = 1_000;
const SESSION_BATCH = 50;
const BENCH_PORT = 9;
const quiet = createLogger({ level: "fatal" });

/** What one relay did for our clients. */
export interface RelayFigures {
  /** Throughput A → relay → B to the last byte, MiB/s. */
  mibps: number;
  /** How long the half-close took to reach B after the last byte, ms. */
  eofDelayMs: number;
  /** Stream-open latency percentiles, ms. */
  p50: number;
  p99: number;
  /** The relay process's CPU time per MiB moved, ms (undefined for an in-process relay). */
  relayCpuMsPerMib?: number;
  /** The relay process's CPU time per stream open, ms (dmsg relays only). */
  relayCpuMsPerOpen?: number;
}

/** The `p`th percentile of ascending `sorted`. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function sendAndCount(
  write: (p: Uint8Array) => Promise<unknown>,
  closeWrite: () => Promise<void>,
  read: (p: Uint8Array) => Promise<number | null>,
  bytes: number,
): Promise<{ mibps: number; eofDelayMs: number }> {
  const block = new Uint8Array(CHUNK).fill(0x5a);
  const start = performance.now();
  const sending = (async () => {
    for (let sent = 0; sent < bytes; sent += CHUNK) await write(block);
    await closeWrite();
  })();
  const buf = new Uint8Array(CHUNK);
  let got = 0;
  let lastByte = start;
  for (;;) {
    const n = await read(buf);
    if (n === null) break;
    got += n;
    if (got === bytes) lastByte = performance.now();
  }
  const eof = performance.now();
  await sending;
  if (got !== bytes) throw new Error(`received ${got} of ${bytes} bytes`);
  return { mibps: bytes / MIB / ((lastByte - start) / 1000), eofDelayMs: eof - lastByte };
}

/** The TCP ceiling: A connects to a relay process, which connects to B's listener. */
export async function measureTcpRelay(bytes: number): Promise<RelayFigures> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  await using relay = await tcpRelayProcess(`127.0.0.1:${listener.addr.port}`);
  const [host, port] = relay.address!.split(":");
  const dial = async () => {
    const accepted = listener.accept();
    const a = await Deno.connect({ hostname: host, port: Number(port) });
    a.setNoDelay(true);
    const b = await accepted;
    b.setNoDelay(true);
    return [a, b] as const;
  };
  // Open latency: connect through the relay until B's byte comes back.
  const latencies: number[] = [];
  const one = new Uint8Array(1);
  for (let i = 0; i < OPENS; i++) {
    const start = performance.now();
    const [a, b] = await dial();
    await writeAll(b, one);
    await a.read(one);
    latencies.push(performance.now() - start);
    a.close();
    b.close();
  }
  latencies.sort((x, y) => x - y);
  const [a, b] = await dial();
  const cpuBefore = cpuMs(relay.pid);
  const moved = await sendAndCount(
    (p) => writeAll(a, p),
    () => a.closeWrite(),
    (p) => b.read(p),
    bytes,
  );
  const relayCpuMsPerMib = (cpuMs(relay.pid) - cpuBefore) / (bytes / MIB);
  a.close();
  b.close();
  listener.close();
  return {
    ...moved,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    relayCpuMsPerMib,
  };
}

/** Two of our clients, A and B, on `server` (and only it). */
export async function clientPair(discovery: string, server: BenchProcess) {
  // The server as a static entry: the clients use it and nothing else the discovery lists.
  const entry = {
    ...zeroEntry(),
    static: PubKey.fromHex(server.pk!),
    server: { ...emptyServerInfo(), address: server.address!, availableSessions: 2048n },
  };
  const make = async () => {
    const keys = generateKeyPair();
    const client = new DmsgClient({
      pk: keys.pk,
      sk: keys.sk,
      discovery,
      clientType: "",
      servers: [entry],
      updateDebounceMs: 50,
      logger: quiet,
    });
    await client.start();
    await client.ready(AbortSignal.timeout(20_000));
    return client;
  };
  return { a: await make(), b: await make() };
}

/**
 * Our client A dials B through `server` OPENS times (a signed request/response and a KK
 * handshake each, measured until the stream is ready), then moves `bytes` over one stream.
 */
export async function measureDmsg(
  discovery: string,
  server: BenchProcess,
  bytes: number,
): Promise<RelayFigures> {
  const { a, b } = await clientPair(discovery, server);
  const listener = b.listen(BENCH_PORT);
  try {
    const latencies: number[] = [];
    const openCpuBefore = cpuMs(server.pid);
    for (let i = 0; i < OPENS; i++) {
      const accepted = listener.accept();
      const start = performance.now();
      const stream = await a.dialStream({ pk: b.pk, port: BENCH_PORT });
      latencies.push(performance.now() - start);
      (await accepted)?.close();
      stream.close();
    }
    const relayCpuMsPerOpen = (cpuMs(server.pid) - openCpuBefore) / OPENS;
    latencies.sort((x, y) => x - y);
    const accepted = listener.accept();
    const stream = await a.dialStream({ pk: b.pk, port: BENCH_PORT });
    const remote = (await accepted)!;
    const cpuBefore = cpuMs(server.pid);
    const moved = await sendAndCount(
      (p) => writeAll(stream, p),
      () => stream.closeWrite(),
      (p) => remote.read(p),
      bytes,
    );
    const relayCpuMsPerMib = (cpuMs(server.pid) - cpuBefore) / (bytes / MIB);
    stream.close();
    remote.close();
    return {
      ...moved,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      relayCpuMsPerMib,
      relayCpuMsPerOpen,
    };
  } finally {
    listener.close();
    await a.close();
    await b.close();
  }
}

/** RSS growth of the server process per idle session, over IDLE_SESSIONS sessions. */
export async function memoryPerSession(server: BenchProcess): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const before = rssBytes(server.pid);
  const sessions: DmsgSession[] = [];
  const serverPk = PubKey.fromHex(server.pk!);
  try {
    for (let i = 0; i < IDLE_SESSIONS; i += SESSION_BATCH) {
      const batch = Array.from(
        { length: SESSION_BATCH },
        () => dialSession({ address: server.address!, serverPk, keyPair: generateKeyPair() }),
      );
      sessions.push(...await Promise.all(batch));
    }
    // Let the server settle (entry updates, buffers) before reading its size.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    return (rssBytes(server.pid) - before) / IDLE_SESSIONS;
  } finally {
    await Promise.all(sessions.map((session) => session.close()));
  }
}
