/**
 * yamux throughput over loopback TCP: raw TCP (the baseline), our `mod/yamux`, and the npm
 * candidates that run in Deno, all in the same run and printed as ratios against raw TCP.
 * Scenarios: one stream, 8 concurrent streams, and stream open/close cycles per second.
 *
 * Run: `deno run -A tests/bench/yamux_bench.ts [MiB per scenario, default 64]`
 *
 * Candidates (inline npm specifiers, bench only):
 * - `yamux-js@0.2.0`: a Node `Transform`/`Duplex` port, driven over `node:net` sockets. It fails
 *   here: its `_transform` drops the part of a data frame that arrives before the rest of it,
 *   so the first frame split across two socket reads loses frame sync ("invalid protocol
 *   version"). It also grants window on receipt rather than on read (no backpressure) and
 *   retries writes at window 0 with a 100 ms timer.
 * - `@chainsafe/libp2p-yamux@8.0.1`: needs a libp2p `MessageStream` for the connection; the
 *   bench supplies one (`@libp2p/utils`' AbstractMultiaddrConnection over `node:net`, plus
 *   `@multiformats/multiaddr` and `@libp2p/logger` just to construct it).
 *
 * @module
 */
import { Session } from "../../mod/yamux/mod.ts";
import { tcpPair } from "../_util/tcp_pair.ts";

const MIB = 1024 * 1024;
const CHUNK = 64 * 1024;
const OPEN_CLOSE_CYCLES = 2000;
const SCENARIO_TIMEOUT_MS = 60_000;

/** One implementation under test: moves `bytesPerStream` on each of `streams` streams. */
interface Contender {
  name: string;
  transfer(streams: number, bytesPerStream: number): Promise<void>;
  openClose?(cycles: number): Promise<void>;
}

async function drain(
  reader: { read(p: Uint8Array): Promise<number | null> },
  expected: number,
): Promise<void> {
  const buf = new Uint8Array(CHUNK);
  let got = 0;
  for (;;) {
    const n = await reader.read(buf);
    if (n === null) break;
    got += n;
  }
  if (got !== expected) throw new Error(`received ${got} of ${expected} bytes`);
}

async function pump(writer: { write(p: Uint8Array): Promise<number> }, total: number) {
  const chunk = new Uint8Array(CHUNK).fill(0x5a);
  for (let sent = 0; sent < total;) {
    const n = Math.min(CHUNK, total - sent);
    let off = 0;
    while (off < n) off += await writer.write(chunk.subarray(off, n));
    sent += n;
  }
}

const rawTcp: Contender = {
  name: "raw TCP (Deno.Conn)",
  async transfer(streams, bytesPerStream) {
    // Streams map to separate connections: the best a multiplexer could hope for.
    await Promise.all(Array.from({ length: streams }, async () => {
      const [a, b] = await tcpPair();
      await Promise.all([
        pump(a, bytesPerStream).then(() => a.closeWrite()),
        drain(b, bytesPerStream),
      ]);
      a.close();
      b.close();
    }));
  },
};

const ours: Contender = {
  name: "mod/yamux (ours)",
  async transfer(streams, bytesPerStream) {
    const [a, b] = await tcpPair();
    const client = new Session(a, { role: "client", enableKeepAlive: false });
    const server = new Session(b, { role: "server", enableKeepAlive: false });
    const receiving = Promise.all(Array.from({ length: streams }, async () => {
      const stream = (await server.accept())!;
      await drain(stream, bytesPerStream);
      stream.close();
    }));
    await Promise.all(Array.from({ length: streams }, async () => {
      const stream = await client.open();
      await pump(stream, bytesPerStream);
      await stream.closeWrite();
      stream.close();
    }));
    await receiving;
    await Promise.all([client.close(), server.close()]);
  },
  async openClose(cycles) {
    const [a, b] = await tcpPair();
    const client = new Session(a, { role: "client", enableKeepAlive: false });
    const server = new Session(b, { role: "server", enableKeepAlive: false });
    const serving = (async () => {
      for (let stream = await server.accept(); stream; stream = await server.accept()) {
        const s = stream;
        (async () => {
          await drain(s, 1);
          await s.closeWrite();
          s.close();
        })();
      }
    })();
    const one = new Uint8Array(1);
    for (let i = 0; i < cycles; i++) {
      const stream = await client.open();
      await stream.write(one);
      await stream.closeWrite();
      await drain(stream, 0);
      stream.close();
    }
    await Promise.all([client.close(), server.close()]);
    await serving;
  },
};

/** Wrap a node:net pair for the Node-stream based candidates. */
async function nodePair() {
  const net = await import("node:net");
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const accepted = new Promise<import("node:net").Socket>((resolve) =>
    server.once("connection", resolve)
  );
  const dialed = net.connect(port, "127.0.0.1");
  await new Promise<void>((resolve) => dialed.once("connect", () => resolve()));
  const b = await accepted;
  server.close();
  dialed.setNoDelay(true);
  b.setNoDelay(true);
  return [dialed, b] as const;
}

async function yamuxJs(): Promise<Contender> {
  // deno-lint-ignore no-import-prefix -- candidates are compared in this bench only
  const { Client, Server } = await import("npm:yamux-js@0.2.0");
  type Duplex = import("node:stream").Duplex;
  const writeAllNode = async (stream: Duplex, total: number) => {
    const chunk = new Uint8Array(CHUNK).fill(0x5a);
    for (let sent = 0; sent < total; sent += CHUNK) {
      if (!stream.write(chunk.subarray(0, Math.min(CHUNK, total - sent)))) {
        await new Promise((resolve) => stream.once("drain", resolve));
      }
    }
    stream.end();
  };
  const count = (stream: Duplex, expected: number) =>
    new Promise<void>((resolve, reject) => {
      let got = 0;
      stream.on("data", (data: Uint8Array) => {
        got += data.length;
        if (got === expected) resolve();
        if (got > expected) reject(new Error(`received ${got} of ${expected}`));
      });
      stream.on("error", reject);
    });
  return {
    name: "yamux-js@0.2.0",
    async transfer(streams, bytesPerStream) {
      const [a, b] = await nodePair();
      const received: Promise<void>[] = [];
      const server = new Server((stream: Duplex) => received.push(count(stream, bytesPerStream)));
      const client = new Client();
      // Session errors (e.g. losing frame sync) are events; turn them into a failed scenario.
      const failed = new Promise<never>((_, reject) => {
        client.on("error", reject);
        server.on("error", reject);
      });
      a.pipe(client).pipe(a);
      b.pipe(server).pipe(b);
      try {
        await Promise.race([
          failed,
          (async () => {
            await Promise.all(Array.from({ length: streams }, () => {
              const stream = client.open();
              stream.on("error", () => {}); // reported through the session's error
              return writeAllNode(stream, bytesPerStream);
            }));
            while (received.length < streams) await new Promise((r) => setTimeout(r, 1));
            await Promise.all(received);
          })(),
        ]);
      } finally {
        client.close();
        server.close();
        a.destroy();
        b.destroy();
      }
    },
  };
}

async function chainsafe(): Promise<Contender> {
  // deno-lint-ignore no-import-prefix -- candidates are compared in this bench only
  const { yamux } = await import("npm:@chainsafe/libp2p-yamux@8.0.1");
  // deno-lint-ignore no-import-prefix -- candidates are compared in this bench only
  const { AbstractMultiaddrConnection } = await import("npm:@libp2p/utils@7.4.1");
  // deno-lint-ignore no-import-prefix -- candidates are compared in this bench only
  const { multiaddr } = await import("npm:@multiformats/multiaddr@13.0.3");
  // deno-lint-ignore no-import-prefix -- candidates are compared in this bench only
  const { logger } = await import("npm:@libp2p/logger@6.2.2");
  type Socket = import("node:net").Socket;
  type StreamLike = AsyncIterable<unknown> & {
    send(data: Uint8Array): boolean;
    close(): Promise<void>;
  };
  // The libp2p plumbing: a MessageStream over a node:net socket.
  class SocketConnection extends AbstractMultiaddrConnection {
    socket: Socket;
    constructor(socket: Socket, direction: "inbound" | "outbound") {
      super({ remoteAddr: multiaddr("/ip4/127.0.0.1/tcp/1"), direction, log: logger("bench") });
      this.socket = socket;
      socket.on("data", (data: Uint8Array) => this.onData(data));
      socket.on("end", () => this.onRemoteCloseWrite());
      socket.on("close", () => this.onTransportClosed());
      socket.on("drain", () => this.safeDispatchEvent("drain"));
    }
    sendData(data: { subarray(): Uint8Array; byteLength: number }) {
      const canSendMore = this.socket.write(data.subarray());
      return { sentBytes: data.byteLength, canSendMore };
    }
    sendReset() {
      this.socket.resetAndDestroy();
    }
    sendPause() {
      this.socket.pause();
    }
    sendResume() {
      this.socket.resume();
    }
    sendClose(): Promise<void> {
      this.socket.end();
      return Promise.resolve();
    }
  }
  const factory = yamux({ enableKeepAlive: false })();
  return {
    name: "@chainsafe/libp2p-yamux@8.0.1",
    async transfer(streams, bytesPerStream) {
      const [a, b] = await nodePair();
      const client = factory.createStreamMuxer(new SocketConnection(a, "outbound"));
      const server = factory.createStreamMuxer(new SocketConnection(b, "inbound"));
      const received: Promise<void>[] = [];
      server.addEventListener(
        "stream",
        (event: { detail: AsyncIterable<{ byteLength: number }> }) => {
          received.push((async () => {
            let got = 0;
            for await (const chunk of event.detail) got += chunk.byteLength;
            if (got !== bytesPerStream) throw new Error(`received ${got} of ${bytesPerStream}`);
          })());
        },
      );
      const chunk = new Uint8Array(CHUNK).fill(0x5a);
      await Promise.all(Array.from({ length: streams }, async () => {
        const stream = await client.createStream();
        for (let sent = 0; sent < bytesPerStream; sent += CHUNK) {
          if (!stream.send(chunk.subarray(0, Math.min(CHUNK, bytesPerStream - sent)))) {
            await stream.onDrain();
          }
        }
        await stream.close();
      }));
      while (received.length < streams) await new Promise((r) => setTimeout(r, 1));
      await Promise.all(received);
      await client.close();
      await server.close();
      a.destroy();
      b.destroy();
    },
    async openClose(cycles) {
      const [a, b] = await nodePair();
      const client = factory.createStreamMuxer(new SocketConnection(a, "outbound"));
      const server = factory.createStreamMuxer(new SocketConnection(b, "inbound"));
      server.addEventListener("stream", (event: { detail: StreamLike }) => {
        (async () => {
          for await (const _ of event.detail) { /* the one byte */ }
          await event.detail.close();
        })();
      });
      const one = new Uint8Array(1);
      for (let i = 0; i < cycles; i++) {
        const stream: StreamLike = await client.createStream();
        stream.send(one);
        const closing = stream.close(); // FIN; the stream ends once the peer's FIN is read too
        for await (const _ of stream) { /* nothing comes back */ }
        await closing;
      }
      await client.close();
      await server.close();
      a.destroy();
      b.destroy();
    },
  };
}

async function timed(run: () => Promise<void>): Promise<number> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const start = performance.now();
  try {
    await Promise.race([
      run(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("timed out")), SCENARIO_TIMEOUT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
  return (performance.now() - start) / 1000;
}

/** Best of `runs` (seconds), so one noisy run does not decide. */
async function best(runs: number, run: () => Promise<void>): Promise<number> {
  let fastest = Infinity;
  for (let i = 0; i < runs; i++) fastest = Math.min(fastest, await timed(run));
  return fastest;
}

/** Measure every contender and print MB/s, streams/s and ratios against raw TCP. */
export async function main(): Promise<void> {
  const mib = Number(Deno.args.find((arg) => /^\d+$/.test(arg)) ?? 64);
  const total = mib * MIB;
  const contenders: Contender[] = [rawTcp, ours];
  for (const load of [yamuxJs, chainsafe]) {
    try {
      contenders.push(await load());
    } catch (error) {
      console.log(`  (candidate not loaded: ${(error as Error).message})`);
    }
  }
  console.log(`yamux over loopback TCP, ${mib} MiB per scenario, best of 3 (MB = 10^6 bytes)`);
  const baseline: Record<string, number> = {};
  const failed = new Set<Contender>();
  for (const streams of [1, 8]) {
    console.log(`  ${streams} stream${streams > 1 ? "s" : ""}:`);
    for (const contender of contenders) {
      if (failed.has(contender)) {
        console.log(`    ${contender.name.padEnd(32)} skipped (failed above)`);
        continue;
      }
      try {
        const seconds = await best(3, () => contender.transfer(streams, total / streams));
        const rate = total / 1e6 / seconds;
        baseline[streams] ??= rate;
        console.log(
          `    ${contender.name.padEnd(32)} ${rate.toFixed(0).padStart(6)} MB/s   ` +
            `${(rate / baseline[streams]).toFixed(2)}x raw TCP`,
        );
      } catch (error) {
        failed.add(contender);
        console.log(`    ${contender.name.padEnd(32)} failed: ${(error as Error).message}`);
      }
    }
  }
  console.log(`  open + 1 byte + close, ${OPEN_CLOSE_CYCLES} sequential cycles:`);
  for (const contender of contenders) {
    if (!contender.openClose || failed.has(contender)) continue;
    try {
      const seconds = await best(3, () => contender.openClose!(OPEN_CLOSE_CYCLES));
      const rate = OPEN_CLOSE_CYCLES / seconds;
      baseline.openClose ??= rate;
      console.log(
        `    ${contender.name.padEnd(32)} ${rate.toFixed(0).padStart(6)} streams/s   ` +
          `${(rate / baseline.openClose).toFixed(2)}x ours`,
      );
    } catch (error) {
      console.log(`    ${contender.name.padEnd(32)} failed: ${(error as Error).message}`);
    }
  }
}

if (import.meta.main) await main();
