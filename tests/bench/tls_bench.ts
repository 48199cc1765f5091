/**
 * The web UI's HTTPS (`serveHttp` with `tls`: node:tls on our own TCP acceptor) against the
 * same server over plain HTTP: a request on a new connection (TCP + TLS handshake + request),
 * kept-alive requests, and a large response's throughput, with Deno's fetch as the client.
 *
 * Run: `deno run -A --config tests/bench/deno.json tests/bench/tls_bench.ts [--json]`
 *
 * @module
 */
import { type HttpService, serveHttp } from "../../mod/http/mod.ts";
import { writeSelfSigned } from "../../mod/tls/mod.ts";
import { type BenchReport, log } from "./_report.ts";

const NEW_CONNECTIONS = 200;
const KEPT_ALIVE = 1_000;
const BIG_BYTES = 32 * 1024 * 1024;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function measure(service: HttpService, caCerts: string[]) {
  // No idle pool: every request opens (and for https, handshakes) a new connection.
  const fresh = Deno.createHttpClient({ caCerts, poolMaxIdlePerHost: 0 });
  const kept = Deno.createHttpClient({ caCerts });
  try {
    const once: number[] = [];
    for (let i = 0; i < NEW_CONNECTIONS; i++) {
      const start = performance.now();
      await (await fetch(`${service.url}/`, { client: fresh })).arrayBuffer();
      once.push(performance.now() - start);
    }
    await (await fetch(`${service.url}/`, { client: kept })).arrayBuffer();
    let start = performance.now();
    for (let i = 0; i < KEPT_ALIVE; i++) {
      await (await fetch(`${service.url}/`, { client: kept })).arrayBuffer();
    }
    const keptMs = (performance.now() - start) / KEPT_ALIVE;
    start = performance.now();
    const big = await (await fetch(`${service.url}/big`, { client: kept })).arrayBuffer();
    if (big.byteLength !== BIG_BYTES) throw new Error("short body");
    const mibS = BIG_BYTES / (1 << 20) / ((performance.now() - start) / 1000);
    return { newMs: median(once), keptMs, mibS };
  } finally {
    fresh.close();
    kept.close();
  }
}

/** Run the comparison. */
export async function main(): Promise<BenchReport> {
  const dir = await Deno.makeTempDir({ prefix: "skywire-tls-bench-" });
  const creds = await writeSelfSigned({ dir, hosts: ["127.0.0.1"] });
  const big = new Uint8Array(BIG_BYTES).fill(0x61);
  const fetchHandler = (request: Request) =>
    new URL(request.url).pathname === "/big"
      ? new Response(big)
      : new Response('{"ok":true}', { headers: { "content-type": "application/json" } });
  const figures: Record<string, number> = {};
  try {
    for (const tls of [false, true]) {
      const service = await serveHttp({
        addr: "127.0.0.1:0",
        fetch: fetchHandler,
        tls: tls ? creds : undefined,
      });
      try {
        const r = await measure(service, [creds.cert]);
        const name = tls ? "https" : "http";
        figures[`${name}_new_connection_ms`] = r.newMs;
        figures[`${name}_kept_alive_request_ms`] = r.keptMs;
        figures[`${name}_32mib_response_mib_s`] = r.mibS;
        log(
          `${name.padEnd(5)} new connection + request ${r.newMs.toFixed(2)} ms (median of ` +
            `${NEW_CONNECTIONS}), kept-alive request ${r.keptMs.toFixed(3)} ms, ` +
            `32 MiB response ${r.mibS.toFixed(0)} MiB/s`,
        );
      } finally {
        await service.close();
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const ratios = {
    https_over_http_new_connection: figures.https_new_connection_ms /
      figures.http_new_connection_ms,
    https_over_http_kept_alive: figures.https_kept_alive_request_ms /
      figures.http_kept_alive_request_ms,
    https_over_http_throughput: figures["https_32mib_response_mib_s"] /
      figures["http_32mib_response_mib_s"],
  };
  log(
    `ratios: new connection ${ratios.https_over_http_new_connection.toFixed(2)}x, ` +
      `kept-alive ${ratios.https_over_http_kept_alive.toFixed(2)}x, throughput ` +
      `${ratios.https_over_http_throughput.toFixed(2)}x`,
  );
  return { name: "tls", figures, ratios };
}

if (import.meta.main) await main();
