/**
 * NoiseStream throughput (write + read, one direction) over an in-memory pipe and over loopback
 * TCP, each against a raw copy over the same kind of pipe in the same run, per AEAD backend;
 * plus the CPU cost of an XK handshake (what a dmsg server pays per session).
 *
 * Run: `deno run -A tests/bench/noise_bench.ts`
 *
 * @module
 */
import { generateKeyPair } from "../../mod/cipher/mod.ts";
import type { ByteStream } from "../../mod/conn/mod.ts";
import { writeAll } from "../../mod/conn/mod.ts";
import { type Aead, getAead, Handshake, NoiseStream } from "../../mod/noise/mod.ts";
import { memoryPipe } from "../_util/memory_pipe.ts";
import { tcpPair } from "../_util/tcp_pair.ts";

const MEMORY_BYTES = 64 * 1024 * 1024;
const TCP_BYTES = 128 * 1024 * 1024;
const CHUNK = 64 * 1024;

type Pair = () => Promise<[ByteStream, ByteStream, () => void]>;

async function tcpEnds(): Promise<[ByteStream, ByteStream, () => void]> {
  const [a, b] = await tcpPair();
  return [a, b, () => (a.close(), b.close())];
}

function memoryPair(): Promise<[ByteStream, ByteStream, () => void]> {
  const [a, b] = memoryPipe();
  return Promise.resolve([a, b, () => (a.close(), b.close())]);
}

/** Transport keys for both ends from a real KK handshake. */
function noiseWrap(a: ByteStream, b: ByteStream, aead: Aead): [ByteStream, ByteStream] {
  const x = generateKeyPair(), y = generateKeyPair();
  const initiator = new Handshake({
    pattern: "KK",
    initiator: true,
    localKeyPair: x,
    remoteStatic: y.pk,
    aead,
  });
  const responder = new Handshake({
    pattern: "KK",
    initiator: false,
    localKeyPair: y,
    remoteStatic: x.pk,
    aead,
  });
  responder.readMessage(initiator.writeMessage());
  initiator.readMessage(responder.writeMessage());
  return [
    new NoiseStream(a, initiator.transportKeys()),
    new NoiseStream(b, responder.transportKeys()),
  ];
}

/** Move `total` bytes from `writer` to `reader`; returns MB/s (10^6 bytes). */
async function transfer(writer: ByteStream, reader: ByteStream, total: number): Promise<number> {
  const data = crypto.getRandomValues(new Uint8Array(CHUNK));
  const start = performance.now();
  const sending = (async () => {
    for (let sent = 0; sent < total; sent += CHUNK) await writeAll(writer, data);
  })();
  const buffer = new Uint8Array(CHUNK);
  let received = 0;
  while (received < total) {
    const n = await reader.read(buffer);
    if (n === null) throw new Error("ended early");
    received += n;
  }
  await sending;
  return total / 1e6 / ((performance.now() - start) / 1000);
}

async function run(pair: Pair, total: number, aead?: Aead): Promise<number> {
  const [a, b, close] = await pair();
  try {
    const [writer, reader] = aead ? noiseWrap(a, b, aead) : [a, b];
    return await transfer(writer, reader, total);
  } finally {
    close();
  }
}

function handshakeMs(count: number): number {
  const server = generateKeyPair(), client = generateKeyPair();
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const initiator = new Handshake({
      pattern: "XK",
      initiator: true,
      localKeyPair: client,
      remoteStatic: server.pk,
    });
    const responder = new Handshake({ pattern: "XK", initiator: false, localKeyPair: server });
    responder.readMessage(initiator.writeMessage());
    initiator.readMessage(responder.writeMessage());
    responder.readMessage(initiator.writeMessage());
  }
  return (performance.now() - start) / count;
}

/** Print throughput per pipe and backend with the ratio against the raw copy, then handshake cost. */
export async function main(): Promise<void> {
  const node = getAead("node"), noble = getAead("noble");
  for (
    const [name, pair, total] of [["memory pipe", memoryPair, MEMORY_BYTES], [
      "loopback TCP",
      tcpEnds,
      TCP_BYTES,
    ]] as const
  ) {
    await run(pair, total / 8); // warm up
    await run(pair, total / 8, node);
    const raw = await run(pair, total);
    const viaNode = await run(pair, total, node);
    const viaNoble = await run(pair, total / 4, noble);
    console.log(`${name} (${total / 1024 / 1024} MiB, ${CHUNK / 1024} KiB writes, one direction):`);
    console.log(`  raw copy                ${raw.toFixed(1).padStart(8)} MB/s`);
    console.log(
      `  NoiseStream node:crypto ${viaNode.toFixed(1).padStart(8)} MB/s   ratio vs raw ${
        (viaNode / raw).toFixed(3)
      }`,
    );
    console.log(
      `  NoiseStream noble       ${viaNoble.toFixed(1).padStart(8)} MB/s   ratio vs raw ${
        (viaNoble / raw).toFixed(3)
      }`,
    );
  }
  handshakeMs(5);
  const perHandshake = handshakeMs(50);
  console.log(
    `XK handshake, both sides in one process: ${perHandshake.toFixed(2)} ms ` +
      `(${(1000 / perHandshake).toFixed(0)} handshakes/s per core, both sides' CPU)`,
  );
}

if (import.meta.main) await main();
