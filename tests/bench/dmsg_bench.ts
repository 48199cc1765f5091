/**
 * dmsg relay benchmarks, every relay in its own process, both ends (clients A and B) in this
 * one, figures and ratios from the same run:
 *
 * - stream throughput A → relay → B: a plain TCP relay (the ceiling: no Noise, no yamux),
 *   our dmsg server, and Go's dmsg-server when `SKYWIRE_GO_REF_BIN` names the Go programs;
 * - stream-open latency p50/p99 (dmsg: a signed request/response and KK handshake through the
 *   server; TCP relay: connect, relay connect, one byte back);
 * - memory per idle session: RSS growth of the server process over 1,000 idle client sessions,
 *   divided by 1,000 (read from /proc, the same way for our server and Go's).
 *
 * Run: `deno run -A tests/bench/dmsg_bench.ts [MiB per throughput run, default 128]`
 *
 * @module
 */
import { join } from "node:path";
import { generateKeyPair, PubKey } from "../../mod/cipher/mod.ts";
import { type ByteStream, pipe, writeAll } from "../../mod/conn/mod.ts";
import {
  dialSession,
  DmsgClient,
  type DmsgSession,
  emptyServerInfo,
  zeroEntry,
} from "../../mod/dmsg/mod.ts";
import { HttpClientConnection, serveHttpConnection } from "../../mod/dmsg_http/mod.ts";
import { createLogger } from "../../mod/log/mod.ts";
import { startDiscovery } from "../../services/dmsg_discovery/mod.ts";
import {
  goServerProcess,
  ourServerProcess,
  type RelayProcess,
  tcpRelayProcess,
} from "./_dmsg_relays.ts";

const MIB = 1024 * 1024;
const CHUNK = 64 * 1024;
const OPENS = 300;
const IDLE_SESSIONS = 1_000;
const SESSION_BATCH = 50;
const BENCH_PORT = 9;
const quiet = createLogger({ level: "fatal" });

// --- measurements --------------------------------------------------------------------------

function rssBytes(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  return kb * 1024;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

interface Figures {
  mbps: number;
  eofDelayMs: number;
  p50: number;
  p99: number;
}

/** Throughput (to the last byte) and how long the half-close then took to reach B. */
interface Transfer {
  mbps: number;
  eofDelayMs: number;
}

async function sendAndCount(
  write: (p: Uint8Array) => Promise<unknown>,
  closeWrite: () => Promise<void>,
  read: (p: Uint8Array) => Promise<number | null>,
  bytes: number,
): Promise<Transfer> {
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
  return { mbps: bytes / MIB / ((lastByte - start) / 1000), eofDelayMs: eof - lastByte };
}

/** The TCP ceiling: A connects to the relay process, which connects to B's listener. */
async function measureTcpRelay(bytes: number): Promise<Figures> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  await using relay = await tcpRelayProcess(`127.0.0.1:${listener.addr.port}`);
  const [host, port] = relay.address.split(":");
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
  const moved = await sendAndCount(
    (p) => writeAll(a, p),
    () => a.closeWrite(),
    (p) => b.read(p),
    bytes,
  );
  a.close();
  b.close();
  listener.close();
  return { ...moved, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** Two of our clients on `server` (and only it), B listening on BENCH_PORT. */
async function clientPair(discovery: string, server: RelayProcess) {
  // The server as a static entry: the clients use it and nothing else the discovery lists.
  const entry = {
    ...zeroEntry(),
    static: PubKey.fromHex(server.pk!),
    server: { ...emptyServerInfo(), address: server.address, availableSessions: 2048n },
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
  const a = await make();
  const b = await make();
  return { a, b };
}

async function measureDmsg(
  discovery: string,
  server: RelayProcess,
  bytes: number,
): Promise<Figures> {
  const { a, b } = await clientPair(discovery, server);
  const listener = b.listen(BENCH_PORT);
  try {
    const latencies: number[] = [];
    for (let i = 0; i < OPENS; i++) {
      const accepted = listener.accept();
      const start = performance.now();
      const stream = await a.dialStream({ pk: b.pk, port: BENCH_PORT });
      latencies.push(performance.now() - start);
      (await accepted)?.close();
      stream.close();
    }
    latencies.sort((x, y) => x - y);
    const accepted = listener.accept();
    const stream = await a.dialStream({ pk: b.pk, port: BENCH_PORT });
    const remote = (await accepted)!;
    const moved = await sendAndCount(
      (p) => writeAll(stream, p),
      () => stream.closeWrite(),
      (p) => remote.read(p),
      bytes,
    );
    stream.close();
    remote.close();
    return { ...moved, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  } finally {
    listener.close();
    await a.close();
    await b.close();
  }
}

/** RSS growth of the server process per idle session, over IDLE_SESSIONS sessions. */
async function memoryPerSession(server: RelayProcess): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const before = rssBytes(server.pid);
  const sessions: DmsgSession[] = [];
  const serverPk = PubKey.fromHex(server.pk!);
  try {
    for (let i = 0; i < IDLE_SESSIONS; i += SESSION_BATCH) {
      const batch = Array.from(
        { length: SESSION_BATCH },
        () => dialSession({ address: server.address, serverPk, keyPair: generateKeyPair() }),
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

/** A connected pair of byte streams: the client's end and the server's end. */
type StreamPair = () => Promise<[ByteStream, ByteStream]>;

/**
 * The HTTP server choice for dmsg HTTP: our in-process codec on the stream, against handing
 * each stream to `Deno.serve` on a unix socket (piped both ways). Measured on a loopback TCP
 * pair (the servers' own cost) and on a real dmsg stream through our server (what users get).
 */
async function compareHttpServers(
  label: string,
  pair: StreamPair,
  socketPath: string,
  bodyBytes: number,
): Promise<void> {
  const REQUESTS = 1_000;
  const body = new Uint8Array(bodyBytes).fill(0x61);
  const health = JSON.stringify({ role: "visor", sessions: { count: 1 } });
  // A file server knows its size: both servers send the body with a Content-Length.
  const handler = (request: Request) =>
    new URL(request.url).pathname === "/big"
      ? new Response(body, { headers: { "content-length": String(bodyBytes) } })
      : new Response(health, { headers: { "content-type": "application/json" } });
  const denoServer = Deno.serve({ path: socketPath, onListen() {} }, handler);
  const run = async (serve: (stream: ByteStream) => Promise<unknown>) => {
    const [client, server] = await pair();
    const serving = serve(server);
    const connection = new HttpClientConnection(client);
    for (let i = 0; i < 100; i++) {
      await (await connection.request(new Request("http://h/health"))).arrayBuffer();
    }
    let start = performance.now();
    for (let i = 0; i < REQUESTS; i++) {
      await (await connection.request(new Request("http://h/health"))).arrayBuffer();
    }
    const rps = REQUESTS / ((performance.now() - start) / 1000);
    start = performance.now();
    const response = await connection.request(new Request("http://h/big"));
    let got = 0;
    for await (const chunk of response.body!) got += chunk.length;
    if (got !== bodyBytes) throw new Error(`got ${got} of ${bodyBytes} bytes`);
    const mbps = bodyBytes / MIB / ((performance.now() - start) / 1000);
    connection.close();
    await serving.catch(() => {});
    return { rps, mbps };
  };
  const ours = await run((stream) => serveHttpConnection(stream, handler));
  const piped = await run(async (stream) => {
    const unix = await Deno.connect({ transport: "unix", path: socketPath });
    await pipe(stream, unix, { bufferSize: CHUNK });
  });
  await denoServer.shutdown();
  console.log(`  ${label}:`);
  console.log(
    `    in-process codec        ${ours.rps.toFixed(0).padStart(6)} req/s (keep-alive /health)` +
      `  ${ours.mbps.toFixed(1).padStart(7)} MiB/s (${bodyBytes / MIB} MiB body)`,
  );
  console.log(
    `    Deno.serve via socket   ${piped.rps.toFixed(0).padStart(6)} req/s` +
      `                        ${piped.mbps.toFixed(1).padStart(7)} MiB/s`,
  );
  console.log(
    `    ratio codec/Deno.serve  ${(ours.rps / piped.rps).toFixed(2)}x req/s, ` +
      `${(ours.mbps / piped.mbps).toFixed(2)}x body throughput`,
  );
}

async function measureHttpServers(
  dir: string,
  discovery: string,
  server: RelayProcess,
  bodyBytes: number,
): Promise<void> {
  console.log("dmsg HTTP server: in-process HTTP/1.1 codec vs Deno.serve on a unix socket (piped)");
  const tcp = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    await compareHttpServers(
      "loopback TCP pair",
      async () => {
        const accepted = tcp.accept();
        const client = await Deno.connect({ hostname: "127.0.0.1", port: tcp.addr.port });
        const served = await accepted;
        client.setNoDelay(true);
        served.setNoDelay(true);
        return [client, served];
      },
      join(dir, "http-tcp.sock"),
      bodyBytes,
    );
  } finally {
    tcp.close();
  }
  const { a, b } = await clientPair(discovery, server);
  const listener = b.listen(80);
  try {
    await compareHttpServers(
      "dmsg stream through our server",
      async () => {
        const accepted = listener.accept();
        const stream = await a.dialStream({ pk: b.pk, port: 80 });
        return [stream, (await accepted)!];
      },
      join(dir, "http-dmsg.sock"),
      bodyBytes,
    );
  } finally {
    listener.close();
    await a.close();
    await b.close();
  }
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Run every measurement and print figures and ratios. */
export async function main(): Promise<void> {
  const mib = Number(Deno.args.find((arg) => /^\d+$/.test(arg)) ?? 128);
  const bytes = mib * MIB;
  const goBin = Deno.env.get("SKYWIRE_GO_REF_BIN");
  const dir = await Deno.makeTempDir({ prefix: "skywire-dmsg-bench-" });
  try {
    const discovery = await startDiscovery({
      storePath: join(dir, "discovery.kv"),
      testMode: true,
      rateLimit: false,
      logger: quiet,
    });
    try {
      console.log(`dmsg relay, A → relay → B on 127.0.0.1, ${mib} MiB per throughput run`);
      const tcp = await measureTcpRelay(bytes);
      const rows: Array<[string, Figures, number | undefined]> = [[
        "plain TCP relay",
        tcp,
        undefined,
      ]];
      {
        await using ours = await ourServerProcess(discovery.url);
        const figures = await measureDmsg(discovery.url, ours, bytes);
        rows.push(["our dmsg server", figures, await memoryPerSession(ours)]);
      }
      if (goBin) {
        await using go = await goServerProcess(goBin, discovery.url, dir);
        const figures = await measureDmsg(discovery.url, go, bytes);
        rows.push(["Go dmsg-server", figures, await memoryPerSession(go)]);
      } else {
        console.log("  (Go dmsg-server skipped: set SKYWIRE_GO_REF_BIN to compare)");
      }
      for (const [name, f, memory] of rows) {
        console.log(
          `  ${name.padEnd(16)} ${f.mbps.toFixed(1).padStart(7)} MiB/s ` +
            `(${(f.mbps / tcp.mbps).toFixed(2)}x TCP relay)   open p50 ${f.p50.toFixed(2)} ms ` +
            `p99 ${f.p99.toFixed(2)} ms` +
            (memory === undefined ? "" : `   ${kib(memory)}/idle session (RSS, 1,000 sessions)`),
        );
        // The half-close should follow the last byte at once; a late one is a relay defect.
        if (f.eofDelayMs > 1_000) {
          console.log(
            `    ! ${name}: end of stream reached B ${
              f.eofDelayMs.toFixed(0)
            } ms after the last byte`,
          );
        }
      }
      const ours = rows.find(([name]) => name === "our dmsg server")?.[1];
      const go = rows.find(([name]) => name === "Go dmsg-server");
      if (ours && go) {
        const goMemory = go[2]!;
        const ourMemory = rows.find(([name]) => name === "our dmsg server")![2]!;
        console.log(
          `  ours/Go: throughput ${(ours.mbps / go[1].mbps).toFixed(2)}x, open p50 ` +
            `${(ours.p50 / go[1].p50).toFixed(2)}x, p99 ${(ours.p99 / go[1].p99).toFixed(2)}x, ` +
            `memory/session ${(ourMemory / goMemory).toFixed(2)}x`,
        );
      }
      await using server = await ourServerProcess(discovery.url);
      await measureHttpServers(dir, discovery.url, server, Math.min(bytes, 32 * MIB));
    } finally {
      await discovery.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main();
