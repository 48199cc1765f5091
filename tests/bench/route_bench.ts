/**
 * Route-group benchmarks, figures and ratios from one run, every visor in this process on
 * 127.0.0.1:
 *
 * - throughput of a route group (bytes written into one end, read out of the other), over stcp
 *   transports: 1 hop inside Noise KK (what apps get by default), 1 hop plain, and 2 hops
 *   (through a relay visor) inside Noise KK;
 * - the same bytes over a dmsg stream between two clients of a local dmsg server (what the
 *   route group is compared against: both are end-to-end encrypted streams between visors);
 * - route dial latency p50/p99 (rules installed in process, then the Handshake and Noise KK).
 *
 * The route setup here is the test stand-in (rules installed by calling the routers), so the
 * dial figure is the router's own part; `route_setup_bench.ts` times the setup node.
 *
 * Run: `deno run -A --config tests/bench/deno.json tests/bench/route_bench.ts [--json] [MiB, default 32]`
 *
 * @module
 */
import { readFull, writeAll } from "../../mod/conn/mod.ts";
import type { ByteStream } from "../../mod/conn/mod.ts";
import { testNetwork } from "../mod/dmsg/_harness.ts";
import { TestRoutes, type TestVisor } from "../mod/router/_net.ts";
import { type BenchReport, JSON_MODE, log } from "./_report.ts";

const MIB = 1024 * 1024;
const CHUNK = 64 * 1024;
const DIALS = 50;

const round = (x: number) => Math.round(x * 1000) / 1000;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/** Write `bytes` into `a` in 64 KiB writes while reading them out of `b`; MiB/s. */
async function throughput(a: ByteStream, b: ByteStream, bytes: number): Promise<number> {
  const chunk = new Uint8Array(CHUNK).fill(7);
  const sink = new Uint8Array(CHUNK);
  const started = performance.now();
  await Promise.all([
    (async () => {
      for (let sent = 0; sent < bytes; sent += CHUNK) await writeAll(a, chunk);
    })(),
    (async () => {
      for (let got = 0; got < bytes;) {
        const n = await b.read(sink);
        if (n === null) throw new Error(`stream ended after ${got} bytes`);
        got += n;
      }
    })(),
  ]);
  return bytes / MIB / ((performance.now() - started) / 1000);
}

/** A route group from `from` to `to` (port 3), and its accepted end. */
async function routePair(from: TestVisor, to: TestVisor, minHops = 0) {
  const listener = to.router.listen(3);
  const [conn, accepted] = await Promise.all([
    from.dialer.dial(to.pk, 3, { minHops }),
    listener.accept(),
  ]);
  listener.close();
  return { conn, accepted: accepted! };
}

async function routeThroughput(bytes: number, encrypt: boolean, hops: 1 | 2): Promise<number> {
  await using net = new TestRoutes();
  const a = await net.visor({ encrypt }), b = await net.visor({ encrypt });
  if (hops === 1) {
    await net.link(a, b);
  } else {
    const m = await net.visor({ encrypt });
    await net.link(a, m);
    await net.link(m, b);
  }
  const { conn, accepted } = await routePair(a, b);
  try {
    await throughput(conn, accepted, Math.min(bytes, 4 * MIB)); // warm-up
    return await throughput(conn, accepted, bytes);
  } finally {
    conn.close();
    accepted.close();
    await Promise.all([conn.closed, accepted.closed]);
  }
}

async function dialLatency(): Promise<number[]> {
  await using net = new TestRoutes();
  const a = await net.visor(), b = await net.visor();
  await net.link(a, b);
  const listener = b.router.listen(3);
  const samples: number[] = [];
  const one = new Uint8Array(1);
  try {
    for (let i = 0; i <= DIALS; i++) {
      const started = performance.now();
      const [conn, accepted] = await Promise.all([a.dialer.dial(b.pk, 3), listener.accept()]);
      await writeAll(conn, one);
      await readFull(accepted!, one);
      if (i > 0) samples.push(performance.now() - started); // the first one warms up
      conn.close();
      await Promise.all([conn.closed, accepted!.closed]);
    }
  } finally {
    listener.close();
  }
  return samples;
}

async function dmsgThroughput(bytes: number): Promise<number> {
  await using net = await testNetwork();
  await net.server();
  const a = await net.client(), b = await net.client();
  await Promise.all([a.ready(), b.ready()]);
  const listener = b.listen(3);
  const [stream, accepted] = await Promise.all([
    a.dialStream({ pk: b.pk, port: 3 }),
    listener.accept(),
  ]);
  try {
    await throughput(stream, accepted!, Math.min(bytes, 4 * MIB));
    return await throughput(stream, accepted!, bytes);
  } finally {
    stream.close();
    accepted!.close();
    listener.close();
  }
}

/** Run the benchmarks; `--json` prints one JSON report on stdout. */
export async function main(args: string[] = Deno.args): Promise<BenchReport> {
  const mib = Number(args.find((arg) => /^\d+$/.test(arg)) ?? 32);
  const bytes = mib * MIB;
  log(`route groups on 127.0.0.1 over stcp transports, ${mib} MiB per throughput run`);
  const noise1 = await routeThroughput(bytes, true, 1);
  const plain1 = await routeThroughput(bytes, false, 1);
  const noise2 = await routeThroughput(bytes, true, 2);
  const dmsg = await dmsgThroughput(bytes);
  const dials = await dialLatency();
  const report: BenchReport = {
    name: "route",
    figures: {
      route_1hop_noise_mib_s: round(noise1),
      route_1hop_plain_mib_s: round(plain1),
      route_2hop_noise_mib_s: round(noise2),
      dmsg_stream_mib_s: round(dmsg),
      route_dial_p50_ms: round(percentile(dials, 0.5)),
      route_dial_p99_ms: round(percentile(dials, 0.99)),
    },
    ratios: {
      route_1hop_noise_over_dmsg_stream: round(noise1 / dmsg),
      route_1hop_plain_over_noise: round(plain1 / noise1),
      route_2hop_over_1hop_noise: round(noise2 / noise1),
    },
    notes: [
      "Go route groups are not measured here: a Go 2024 visor exposes route groups only to its " +
      "apps (sky-forwarding's HTTP, ping), not as a byte stream a bench can drive",
    ],
  };
  const f = report.figures, r = report.ratios;
  log(
    `route group 1 hop: Noise ${f.route_1hop_noise_mib_s} MiB/s, plain ${f.route_1hop_plain_mib_s} MiB/s ` +
      `(plain/Noise ×${r.route_1hop_plain_over_noise})`,
  );
  log(
    `route group 2 hops (relay): Noise ${f.route_2hop_noise_mib_s} MiB/s ` +
      `(×${r.route_2hop_over_1hop_noise} of 1 hop)`,
  );
  log(
    `dmsg stream through a local server: ${f.dmsg_stream_mib_s} MiB/s ` +
      `(route 1 hop Noise / dmsg ×${r.route_1hop_noise_over_dmsg_stream})`,
  );
  log(
    `route dial (${DIALS}×, 1 hop, in-process setup): p50 ${f.route_dial_p50_ms} ms, p99 ${f.route_dial_p99_ms} ms`,
  );
  if (JSON_MODE && import.meta.main) console.log(JSON.stringify(report));
  return report;
}

if (import.meta.main) await main();
