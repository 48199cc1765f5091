/**
 * The HTTP server for dmsg HTTP: our in-process HTTP/1.1 codec on each stream, against handing
 * each stream to `Deno.serve` on a unix socket (piped both ways). Measured on a loopback TCP
 * pair (the servers' own cost) and on a real dmsg stream through our server (what users get):
 * keep-alive `/health` requests per second and a large body's throughput.
 *
 * Run: `deno run -A --config tests/bench/deno.json tests/bench/dmsg_http_bench.ts [MiB] [--json]`
 *
 * @module
 */
import { join } from "node:path";
import { type ByteStream, pipe } from "../../mod/conn/mod.ts";
import { HttpClientConnection, serveHttpConnection } from "../../mod/dmsg_http/mod.ts";
import { createLogger } from "../../mod/log/mod.ts";
import { startDiscovery } from "../../services/dmsg_discovery/mod.ts";
import { clientPair, MIB } from "./_dmsg_measure.ts";
import { type BenchProcess, ourServerProcess } from "./_dmsg_processes.ts";
import { type BenchReport, JSON_MODE, log } from "./_report.ts";

const CHUNK = 64 * 1024;
const quiet = createLogger({ level: "fatal" });

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
  record: (figures: Record<string, number>) => void,
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
  record({
    codec_req_s: Math.round(ours.rps),
    codec_mib_s: Number(ours.mbps.toFixed(1)),
    deno_serve_req_s: Math.round(piped.rps),
    deno_serve_mib_s: Number(piped.mbps.toFixed(1)),
  });
  log(`  ${label}:`);
  log(
    `    in-process codec        ${ours.rps.toFixed(0).padStart(6)} req/s (keep-alive /health)` +
      `  ${ours.mbps.toFixed(1).padStart(7)} MiB/s (${bodyBytes / MIB} MiB body)`,
  );
  log(
    `    Deno.serve via socket   ${piped.rps.toFixed(0).padStart(6)} req/s` +
      `                        ${piped.mbps.toFixed(1).padStart(7)} MiB/s`,
  );
  log(
    `    ratio codec/Deno.serve  ${(ours.rps / piped.rps).toFixed(2)}x req/s, ` +
      `${(ours.mbps / piped.mbps).toFixed(2)}x body throughput`,
  );
}

async function measureHttpServers(
  dir: string,
  discovery: string,
  server: BenchProcess,
  bodyBytes: number,
  report: BenchReport,
): Promise<void> {
  const recorder = (prefix: string) => (figures: Record<string, number>) => {
    for (const [key, value] of Object.entries(figures)) report.figures[`${prefix}_${key}`] = value;
    report.ratios[`${prefix}_codec_over_deno_serve_req_s`] = Number(
      (figures.codec_req_s / figures.deno_serve_req_s).toFixed(2),
    );
  };
  log("dmsg HTTP server: in-process HTTP/1.1 codec vs Deno.serve on a unix socket (piped)");
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
      recorder("tcp"),
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
      recorder("dmsg"),
    );
  } finally {
    listener.close();
    await a.close();
    await b.close();
  }
}

/** Compare the two HTTP servers on a TCP pair and on a dmsg stream through our server. */
export async function main(): Promise<BenchReport> {
  const mib = Number(Deno.args.find((arg) => /^\d+$/.test(arg)) ?? 32);
  const report: BenchReport = { name: "dmsg_http", figures: {}, ratios: {} };
  const dir = await Deno.makeTempDir({ prefix: "skywire-dmsg-http-bench-" });
  try {
    const discovery = await startDiscovery({
      storePath: join(dir, "discovery.kv"),
      testMode: true,
      rateLimit: false,
      logger: quiet,
    });
    try {
      await using server = await ourServerProcess(discovery.url);
      await measureHttpServers(dir, discovery.url, server, Math.min(mib, 32) * MIB, report);
    } finally {
      await discovery.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return report;
}

if (import.meta.main) {
  const report = await main();
  if (JSON_MODE) console.log(JSON.stringify(report));
}
