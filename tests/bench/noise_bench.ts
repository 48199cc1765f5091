/**
 * NoiseStream throughput (write + read, one direction) over an in-memory pipe and over loopback
 * TCP, each against a raw copy over the same kind of pipe in the same run, per AEAD backend;
 * plus the CPU cost of an XK handshake (what a dmsg server pays per session).
 *
 * Rates are MB (10^6 bytes) per second of this process's CPU time, which a loaded shared machine
 * skews less than wall-clock rates (both sides run in this process, so a rate is the cost of
 * sealing and opening together); wall-clock rates are printed in brackets.
 *
 * Run: `deno run -A --config tests/bench/deno.json tests/bench/noise_bench.ts [--json]`
 *
 * @module
 */
import process from "node:process";
import { generateKeyPair } from "../../mod/cipher/mod.ts";
import type { ByteStream } from "../../mod/conn/mod.ts";
import { writeAll } from "../../mod/conn/mod.ts";
import { type Aead, Handshake, loadAead, NoiseStream } from "../../mod/noise/mod.ts";
import { memoryPipe } from "../_util/memory_pipe.ts";
import { tcpPair } from "../_util/tcp_pair.ts";
import { type BenchReport, JSON_MODE, log } from "./_report.ts";

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

/** MB/s (10^6 bytes) per CPU-second and per wall-clock second. */
interface Rate {
  cpu: number;
  wall: number;
}

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** Move `total` bytes from `writer` to `reader`. */
async function transfer(writer: ByteStream, reader: ByteStream, total: number): Promise<Rate> {
  const data = crypto.getRandomValues(new Uint8Array(CHUNK));
  const start = performance.now(), cpuStart = cpuMicros();
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
  return {
    cpu: total / ((cpuMicros() - cpuStart) || 1),
    wall: total / 1e6 / ((performance.now() - start) / 1000),
  };
}

async function run(pair: Pair, total: number, aead?: Aead): Promise<Rate> {
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

function line(name: string, rate: Rate, raw?: Rate): string {
  return `  ${name.padEnd(24)}${rate.cpu.toFixed(1).padStart(8)} MB/cpu-s [${
    rate.wall.toFixed(1).padStart(7)
  } MB/s]` + (raw ? `   ratio vs raw ${(rate.cpu / raw.cpu).toFixed(3)}` : "");
}

/** Print throughput per pipe and backend with the ratio against the raw copy, then handshake cost. */
export async function main(): Promise<BenchReport> {
  const report: BenchReport = { name: "noise", figures: {}, ratios: {} };
  const node = await loadAead("node"), noble = await loadAead("noble");
  for (
    const [name, key, pair, total] of [
      ["memory pipe", "memory", memoryPair, MEMORY_BYTES],
      ["loopback TCP", "tcp", tcpEnds, TCP_BYTES],
    ] as const
  ) {
    await run(pair, total / 8); // warm up
    await run(pair, total / 8, node);
    const raw = await run(pair, total);
    const viaNode = await run(pair, total, node);
    const viaNoble = await run(pair, total / 4, noble);
    log(`${name} (${total / 1024 / 1024} MiB, ${CHUNK / 1024} KiB writes, one direction):`);
    log(line("raw copy", raw));
    log(line("NoiseStream node:crypto", viaNode, raw));
    log(line("NoiseStream noble", viaNoble, raw));
    report.figures[`${key}_raw_mb_per_cpu_s`] = Math.round(raw.cpu);
    report.figures[`${key}_noise_node_mb_per_cpu_s`] = Math.round(viaNode.cpu);
    report.figures[`${key}_noise_noble_mb_per_cpu_s`] = Math.round(viaNoble.cpu);
    report.figures[`${key}_noise_node_mb_per_s_wall`] = Math.round(viaNode.wall);
    report.ratios[`${key}_noise_node_over_raw`] = Number((viaNode.cpu / raw.cpu).toFixed(3));
    report.ratios[`${key}_noise_node_over_noble`] = Number((viaNode.cpu / viaNoble.cpu).toFixed(2));
  }
  handshakeMs(5);
  const perHandshake = handshakeMs(50);
  report.figures.xk_handshake_ms = Number(perHandshake.toFixed(2));
  log(
    `XK handshake, both sides in one process: ${perHandshake.toFixed(2)} ms ` +
      `(${(1000 / perHandshake).toFixed(0)} handshakes/s per core, both sides' CPU)`,
  );
  return report;
}

if (import.meta.main) {
  const report = await main();
  if (JSON_MODE) console.log(JSON.stringify(report));
}
