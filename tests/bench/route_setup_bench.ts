/**
 * Route set-up latency: one `SetupRPCGateway.DialRouteGroup` as a visor sees it (dial the
 * setup node on dmsg port 36, call, get the edge rules back), for a 1-hop route (A→B) and a
 * 3-hop route (A→B→C→D), each visor a dmsg client answering `RPCGateway` on port 136 from a
 * real routing table, all on our dmsg discovery and server in this process:
 *
 * - ours: the setup node inside our dmsg server (it reaches the visors straight on their
 *   sessions);
 * - Go: Go 2024's `setup-node` joined to the same dmsg network as a dmsg client (its calls to
 *   the visors are dmsg streams through our server), same visors, same requests;
 *
 * p50/p99 of each and the ratio ours/Go (below 1: ours is faster), from one run.
 *
 * Go's side needs `SKYWIRE_GO_REF_BIN` with `setup-node`; without it only ours is measured.
 *
 * Run: `deno run -A tests/bench/route_setup_bench.ts [--json] [SETUPS, default 100]`
 *
 * @module
 */
import { join } from "node:path";
import { generateKeyPair, type PubKey } from "../../mod/cipher/mod.ts";
import type { DmsgClient } from "../../mod/dmsg/mod.ts";
import { dialRouteGroup, SETUP_PORT } from "../../mod/route_setup/mod.ts";
import { testNetwork } from "../mod/dmsg/_harness.ts";
import { serverSetupNode, serveTestRouter } from "../mod/route_setup/_harness.ts";
import { routeAlong } from "../mod/route_setup/_routes.ts";
import { ChildProcess } from "../interop/_go_ref.ts";
import { type BenchReport, JSON_MODE, log } from "./_report.ts";

const round = (x: number) => Math.round(x * 1000) / 1000;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/** `n` timed set-ups of the route along `path` through the setup node `node`. */
async function timeSetups(requester: DmsgClient, node: PubKey, path: PubKey[], n: number) {
  const samples: number[] = [];
  // One untimed round first: sessions and caches warm, as for every later request.
  for (let i = -1; i < n; i++) {
    const started = performance.now();
    const stream = await requester.dialStream({ pk: node, port: SETUP_PORT });
    await dialRouteGroup(stream, routeAlong(path, [49152 + ((i + 1) & 0x3fff), 3]));
    if (i >= 0) samples.push(performance.now() - started);
  }
  return samples;
}

/** Go's setup-node on our network; `undefined` (with the reason) without the binary. */
async function startGoSetupNode(discovery: string, dir: string) {
  const bin = Deno.env.get("SKYWIRE_GO_REF_BIN");
  if (!bin) return { skip: "SKYWIRE_GO_REF_BIN is not set" };
  const path = join(bin, "setup-node");
  if (!(await Deno.stat(path).catch(() => undefined))?.isFile) {
    return { skip: `SKYWIRE_GO_REF_BIN=${bin} lacks setup-node` };
  }
  const keys = generateKeyPair();
  const config = join(dir, "setup-node.json");
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      public_key: keys.pk.hex(),
      secret_key: keys.sk.hex(),
      dmsg: { discovery, servers: [], sessions_count: 1 },
      transport_discovery: "http://127.0.0.1:9",
      log_level: "info",
    }),
  );
  const process = new ChildProcess(path, [config], { name: "go setup-node" });
  await process.line(/Accepting dmsg streams/, 30_000);
  return { pk: keys.pk, process };
}

/** Run the benchmark; returns its report (also printed, as JSON with `--json`). */
export async function main(args: string[] = Deno.args): Promise<BenchReport> {
  const setups = Number(args.find((arg) => /^\d+$/.test(arg)) ?? 100);
  await using net = await testNetwork();
  const server = await net.server({ selfDelegated: true });
  const node = serverSetupNode(server);
  const dir = await Deno.makeTempDir({ prefix: "skywire-bench-route-setup-" });
  const visors = await Promise.all(Array.from({ length: 4 }, () => net.client()));
  await Promise.all(visors.map((v) => v.ready()));
  const routers = visors.map((v) => serveTestRouter(v));
  const notes: string[] = [];
  const figures: Record<string, number> = { setups };
  const ratios: Record<string, number> = {};
  try {
    const paths = { "1hop": visors.slice(0, 2), "3hop": visors };
    const go = await startGoSetupNode(net.url, dir);
    if ("skip" in go) notes.push(`Go setup-node not measured: ${go.skip}`);
    try {
      for (const [name, members] of Object.entries(paths)) {
        const path = members.map((v) => v.pk);
        const ours = await timeSetups(visors[0], server.pk, path, setups);
        figures[`ours_${name}_p50_ms`] = round(percentile(ours, 0.5));
        figures[`ours_${name}_p99_ms`] = round(percentile(ours, 0.99));
        log(
          `route set-up ${name} (${setups}×): ours p50 ${figures[`ours_${name}_p50_ms`]} ms, ` +
            `p99 ${figures[`ours_${name}_p99_ms`]} ms`,
        );
        if ("skip" in go) continue;
        const theirs = await timeSetups(visors[0], go.pk, path, setups);
        figures[`go_${name}_p50_ms`] = round(percentile(theirs, 0.5));
        figures[`go_${name}_p99_ms`] = round(percentile(theirs, 0.99));
        ratios[`ours_over_go_${name}_p50`] = round(
          percentile(ours, 0.5) / percentile(theirs, 0.5),
        );
        log(
          `route set-up ${name} (${setups}×): Go setup-node p50 ${
            figures[`go_${name}_p50_ms`]
          } ms, ` +
            `p99 ${figures[`go_${name}_p99_ms`]} ms (ours/Go ×${
              ratios[`ours_over_go_${name}_p50`]
            })`,
        );
      }
    } finally {
      if (!("skip" in go)) await go.process[Symbol.asyncDispose]();
    }
  } finally {
    await node.close();
    await Promise.all(routers.map((r) => r.close()));
    await Deno.remove(dir, { recursive: true });
  }
  for (const note of notes) log(note);
  const report: BenchReport = { name: "route_setup", figures, ratios, notes };
  if (JSON_MODE) console.log(JSON.stringify(report));
  return report;
}

if (import.meta.main) await main();
