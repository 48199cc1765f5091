/**
 * Proxy cost: HTTP downloads and small requests straight to a local server (the baseline),
 * through a plain SOCKS5 server (`mod/socks5` on TCP), through skysocks over dmsg (client app →
 * dmsg server → server app) and through skysocks over real route groups (three routers on
 * stcp, one hop in the middle). Throughput in MiB/s, request latency (connect, SOCKS handshake,
 * GET, full answer) in ms, and the real `curl` fetching 200 URLs in one run (it keeps the
 * connection alive where it can), with ratios against the direct connection from the same run.
 * The carriers alone (a dmsg stream, a route group) are measured too, to show the proxy's own
 * share of the cost.
 *
 * Run: `deno run -A --config tests/bench/deno.json tests/bench/socks_bench.ts [MiB, default 64] [--json]`
 *
 * Not measured here: Go skysocks through Go visors (needs Go binaries and routes between Go
 * visors; `tests/interop` covers what runs against Go).
 *
 * @module
 */
import { type AppNet, dmsgAppNet, routeAppNet } from "../../mod/appnet/mod.ts";
import type { PubKey } from "../../mod/cipher/mod.ts";
import { writeAll } from "../../mod/conn/mod.ts";
import { serveSocks5, socks5Connect, socksAddress } from "../../mod/socks5/mod.ts";
import { SkysocksServer } from "../../services/apps/skysocks/mod.ts";
import { SkysocksClient } from "../../services/apps/skysocks_client/mod.ts";
import { testNetwork, waitFor } from "../mod/dmsg/_harness.ts";
import { TestRoutes } from "../mod/router/_net.ts";
import { type BenchReport, JSON_MODE, log } from "./_report.ts";

const MIB = 1024 * 1024;
const REQUESTS = 200;

/** How to reach the HTTP target: straight, or through a SOCKS5 port. */
interface Path {
  name: string;
  key: string;
  socks?: number;
}

async function connect(path: Path, port: number): Promise<Deno.TcpConn> {
  if (path.socks === undefined) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.setNoDelay(true);
    return conn;
  }
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: path.socks });
  conn.setNoDelay(true);
  await socks5Connect(conn, socksAddress("127.0.0.1", port));
  return conn;
}

// One GET; resolves the bytes received (head and body) once the server closed.
async function get(path: Path, port: number, target: string): Promise<number> {
  const conn = await connect(path, port);
  try {
    await writeAll(
      conn,
      new TextEncoder().encode(`GET ${target} HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n`),
    );
    const buf = new Uint8Array(256 * 1024);
    let total = 0;
    for (let n; (n = await conn.read(buf)) !== null;) total += n;
    return total;
  } finally {
    conn.close();
  }
}

async function curlTime(path: Path, port: number): Promise<number> {
  const via = path.socks === undefined ? [] : ["--socks5-hostname", `127.0.0.1:${path.socks}`];
  const urls = Array.from({ length: REQUESTS }, () => `http://127.0.0.1:${port}/small`);
  const started = performance.now();
  const out = await new Deno.Command("curl", {
    args: ["-sS", "-o", "/dev/null", ...via, ...urls],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`curl: ${new TextDecoder().decode(out.stderr)}`);
  return (performance.now() - started) / REQUESTS;
}

// The bytes of `body` from a listener on the exit's side, straight over the app network: what
// the proxy runs on, without the proxy.
async function rawDownload(
  net: AppNet,
  listenNet: AppNet,
  pk: PubKey,
  body: Uint8Array,
): Promise<number> {
  const listener = listenNet.listen(9);
  const served = (async () => {
    const conn = await listener.accept();
    if (!conn) return;
    await writeAll(conn, body);
    await new Promise((resolve) => setTimeout(resolve, 50));
    conn.close();
  })();
  try {
    let best = Infinity;
    for (let round = 0; round < 1; round++) {
      const started = performance.now();
      const conn = await net.dial(pk, 9);
      const buf = new Uint8Array(256 * 1024);
      let got = 0;
      while (got < body.length) {
        const n = await conn.read(buf);
        if (n === null) break;
        got += n;
      }
      conn.close();
      if (got < body.length) throw new Error(`raw: ${got} of ${body.length} bytes`);
      best = Math.min(best, performance.now() - started);
    }
    return best;
  } finally {
    listener.close();
    await served;
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

/** Run the benchmark; `mib` per download. */
export async function main(mib = Number(Deno.args.find((a) => /^\d+$/.test(a)) ?? 64)) {
  const body = new Uint8Array(mib * MIB).fill(0x61);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const url = new URL(req.url);
    return new Response(url.pathname === "/big" ? body : "ok");
  });
  const port = server.addr.port;

  // A plain SOCKS5 server on TCP.
  const plain = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    for await (const conn of plain) serveSocks5(conn);
  })().catch(() => {});

  // skysocks over dmsg.
  const network = await testNetwork();
  await network.server();
  const exit = await network.client();
  const user = await network.client();
  await Promise.all([exit.ready(), user.ready()]);
  const dmsgServer = SkysocksServer.start({ net: dmsgAppNet(exit) });
  const dmsgClient = SkysocksClient.start({
    net: dmsgAppNet(user),
    serverPk: exit.pk,
    addr: "127.0.0.1:0",
  });

  // skysocks over route groups: user — middle — exit on stcp, routes with one intermediary.
  const routes = new TestRoutes();
  const rUser = await routes.visor();
  const rMiddle = await routes.visor();
  const rExit = await routes.visor();
  await routes.link(rUser, rMiddle);
  await routes.link(rMiddle, rExit);
  const routeServer = SkysocksServer.start({ net: routeAppNet(rExit) });
  const routeClient = SkysocksClient.start({
    net: routeAppNet(rUser),
    serverPk: rExit.pk,
    addr: "127.0.0.1:0",
    minHops: 2,
  });
  await waitFor(
    "sessions",
    () => dmsgClient.status().session.state === "up" && routeClient.status().session.state === "up",
    30_000,
  );

  const paths: Path[] = [
    { name: "direct TCP", key: "direct" },
    { name: "SOCKS5 on TCP (mod/socks5)", key: "socks5", socks: plain.addr.port },
    { name: "skysocks over dmsg", key: "skysocks_dmsg", socks: dmsgClient.addr.port },
    { name: "skysocks over routes (2 hops)", key: "skysocks_routes", socks: routeClient.addr.port },
  ];
  const report: BenchReport = {
    name: "socks",
    figures: {},
    ratios: {},
    notes: ["Go skysocks through Go visors: not measured here (needs Go visors with routes)"],
  };
  const hasCurl = await new Deno.Command("curl", { args: ["--version"], stdout: "null" })
    .output().then((o) => o.success, () => false);
  if (!hasCurl) report.notes!.push("curl not found: curl figures skipped");
  try {
    log(`proxy cost: ${mib} MiB downloads, ${REQUESTS} small requests, to a local HTTP server`);
    for (const path of paths) {
      await get(path, port, "/small"); // warm up
      let best = Infinity;
      for (let round = 0; round < 2; round++) {
        const started = performance.now();
        const got = await get(path, port, "/big");
        const ms = performance.now() - started;
        if (got < body.length) throw new Error(`${path.name}: ${got} of ${body.length} bytes`);
        best = Math.min(best, ms);
      }
      const mibS = mib / (best / 1000);
      const times: number[] = [];
      for (let i = 0; i < REQUESTS; i++) {
        const started = performance.now();
        await get(path, port, "/small");
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const p50 = percentile(times, 0.5), p95 = percentile(times, 0.95);
      report.figures[`${path.key}_download_mib_s`] = Math.round(mibS * 10) / 10;
      report.figures[`${path.key}_request_p50_ms`] = Math.round(p50 * 100) / 100;
      report.figures[`${path.key}_request_p95_ms`] = Math.round(p95 * 100) / 100;
      let line = `  ${path.name.padEnd(30)} ${mibS.toFixed(0).padStart(6)} MiB/s   ` +
        `request p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms`;
      if (hasCurl) {
        const perRequest = await curlTime(path, port);
        report.figures[`${path.key}_curl_per_request_ms`] = Math.round(perRequest * 100) / 100;
        line += `   curl ${perRequest.toFixed(2)} ms/URL (keep-alive)`;
      }
      log(line);
    }
    for (
      const [key, name, net, listenNet, pk] of [
        ["dmsg_stream", "dmsg stream, no proxy", dmsgAppNet(user), dmsgAppNet(exit), exit.pk],
        ["route_group", "route group, no proxy", routeAppNet(rUser), routeAppNet(rExit), rExit.pk],
      ] as const
    ) {
      const ms = await rawDownload(net, listenNet, pk, body);
      const mibS = mib / (ms / 1000);
      report.figures[`${key}_download_mib_s`] = Math.round(mibS * 10) / 10;
      log(`  ${name.padEnd(30)} ${mibS.toFixed(0).padStart(6)} MiB/s   (the carrier alone)`);
    }
    const f = report.figures;
    report.ratios.skysocks_dmsg_over_dmsg_stream_throughput = round2(
      f.skysocks_dmsg_download_mib_s / f.dmsg_stream_download_mib_s,
    );
    report.ratios.skysocks_routes_over_route_group_throughput = round2(
      f.skysocks_routes_download_mib_s / f.route_group_download_mib_s,
    );
    log(
      `  skysocks keeps ${report.ratios.skysocks_dmsg_over_dmsg_stream_throughput}x of a dmsg ` +
        `stream's throughput, ${report.ratios.skysocks_routes_over_route_group_throughput}x of a route group's`,
    );
    for (const path of paths.slice(1)) {
      const k = path.key;
      report.ratios[`${k}_over_direct_throughput`] = round2(
        f[`${k}_download_mib_s`] / f.direct_download_mib_s,
      );
      report.ratios[`${k}_over_direct_latency_p50`] = round2(
        f[`${k}_request_p50_ms`] / f.direct_request_p50_ms,
      );
      log(
        `  ${path.name}: throughput ${report.ratios[`${k}_over_direct_throughput`]}x direct, ` +
          `latency ${report.ratios[`${k}_over_direct_latency_p50`]}x direct`,
      );
    }
  } finally {
    await routeClient.close();
    await routeServer.close();
    await routes[Symbol.asyncDispose]();
    await dmsgClient.close();
    await dmsgServer.close();
    await network[Symbol.asyncDispose]();
    plain.close();
    await serving;
    await server.shutdown();
  }
  return report;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

if (import.meta.main) {
  const report = await main();
  if (JSON_MODE) console.log(JSON.stringify(report));
}
