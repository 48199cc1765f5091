/**
 * dmsg relay benchmarks, every relay in its own process, figures and ratios from one run:
 *
 * - our clients A → relay → B (both in this process) through a plain TCP relay (the ceiling:
 *   no Noise, no yamux), our dmsg server, and Go's dmsg-server: stream-open latency p50/p99
 *   (dmsg: a signed request/response and a KK handshake through the server), throughput, the
 *   relay's CPU time per MiB and per stream open (the server's own share of an open, which
 *   the machine's other load does not inflate as it does wall-clock latency), and its memory
 *   per idle session (RSS growth over 1,000 idle sessions, read from /proc the same way for
 *   both servers);
 * - with the Go programs: whole client programs in their own processes (see `_dmsg_go.ts`):
 *   Go clients through each relay, `skywire dmsg curl` against dmsgget;
 * - whole stacks (see `_dmsg_stack.ts`): a dialing client → a server → a listening client, each
 *   its own process, ours (`_dmsg_peer.ts`) and Go's (tests/interop/go/dmsgpeer, Go dmsg's own
 *   client timing its own opens), and the mixed pairs: open p50/p99 at the dialer, throughput,
 *   and the CPU time per open and per MiB of each of the three processes.
 *
 * The Go programs come from `SKYWIRE_GO_REF_BIN` (dmsg-server, dmsghttp, dmsgget, as the
 * interop tests take them); without it the Go rows are skipped with a note. dmsgpeer is ours
 * but built outside the repo against the vendored dmsg 9c8b80bd tree the Go dmsg-server comes
 * from (how: the comment at the top of its main.go); the bench takes it from
 * `SKYWIRE_GO_DMSGPEER_BIN`, else `dmsgpeer` in `SKYWIRE_GO_REF_BIN`. With
 * `SKYWIRE_BENCH_CPU_PROF=DIR` our server and client processes write V8 CPU profiles into DIR.
 *
 * Every comparison ours/Go is measured in each of `--rounds` rounds (default 3), every round
 * measuring both sides of each pair with fresh processes, Go's side first in every other round
 * (see `_rounds.ts`): on a loaded machine one run swings by a third. The report's figures are
 * the medians over the rounds (same keys as a single run; new: `stack_*_cpu_ms_per_open` and
 * `stack_*_cpu_ms_per_mib`, the three processes' total, and the ratio
 * `server_cpu_per_mib_ours_over_go`), its ratios are computed from those medians, and
 * `ranges` holds each figure's min–max and each ratio's per-round min–max under the same key;
 * `rounds` says how many. Memory per idle session is measured in the first round only.
 *
 * Run: `deno run -A --config tests/bench/deno.json tests/bench/dmsg_bench.ts [MiB, default 128]
 * [--rounds=N] [--stacks] [--clients] [--json]` (`--stacks`: only the whole-stack rows;
 * `--clients`: only the whole client programs, Go's and `skywire dmsg curl`). Through
 * `deno task bench` write `--rounds=N`, so that the other benches do not take N for a size.
 *
 * @module
 */
import { join } from "node:path";
import { createLogger } from "../../mod/log/mod.ts";
import { startDiscovery } from "../../services/dmsg_discovery/mod.ts";
import { type Download, measureGoClients, prepareFiles } from "./_dmsg_go.ts";
import {
  measureDmsg,
  measureTcpRelay,
  memoryPerSession,
  MIB,
  type RelayFigures,
} from "./_dmsg_measure.ts";
import { type BenchProcess, goServerProcess, ourServerProcess } from "./_dmsg_processes.ts";
import { STACK_RATIOS, stackRound } from "./_dmsg_stack.ts";
import { type BenchReport, JSON_MODE, log } from "./_report.ts";
import {
  type Figures,
  inTurn,
  over,
  type RatioSpec,
  roundsArg,
  sizeArg,
  summarize,
} from "./_rounds.ts";

const quiet = createLogger({ level: "fatal" });

function relayLine(name: string, f: RelayFigures, tcp: RelayFigures, memory?: number): string {
  return `  ${name.padEnd(16)} ${f.mibps.toFixed(1).padStart(7)} MiB/s ` +
    `(${(f.mibps / tcp.mibps).toFixed(2)}x TCP relay)   open p50 ${f.p50.toFixed(2)} ms ` +
    `p99 ${f.p99.toFixed(2)} ms   relay CPU ${f.relayCpuMsPerMib!.toFixed(1)} ms/MiB` +
    (f.relayCpuMsPerOpen === undefined ? "" : `, ${f.relayCpuMsPerOpen.toFixed(2)} ms/open`) +
    (memory === undefined ? "" : `   ${(memory / 1024).toFixed(1)} KiB/idle session`);
}

/** `f` as report figures under `key`. */
function relayFigures(key: string, f: RelayFigures, memory?: number): Figures {
  const out: Figures = {
    [`${key}_mib_s`]: f.mibps,
    [`${key}_open_p50_ms`]: f.p50,
    [`${key}_open_p99_ms`]: f.p99,
    [`${key}_relay_cpu_ms_per_mib`]: f.relayCpuMsPerMib!,
  };
  if (f.relayCpuMsPerOpen !== undefined) out[`${key}_relay_cpu_ms_per_open`] = f.relayCpuMsPerOpen;
  if (memory !== undefined) out[`${key}_kib_per_idle_session`] = memory / 1024;
  // The half-close should follow the last byte at once; a late one is a relay defect.
  if (f.eofDelayMs > 1_000) {
    log(`    ! ${key}: end of stream reached B ${f.eofDelayMs.toFixed(0)} ms after the last byte`);
  }
  return out;
}

/** Our clients through our relay against through Go's. */
const RELAY_RATIOS: Record<string, RatioSpec> = {
  our_clients_throughput_ours_over_go: over("ours_mib_s", "go_mib_s"),
  open_p50_ours_over_go: over("ours_open_p50_ms", "go_open_p50_ms"),
  open_p99_ours_over_go: over("ours_open_p99_ms", "go_open_p99_ms"),
  relay_cpu_per_mib_ours_over_go: over("ours_relay_cpu_ms_per_mib", "go_relay_cpu_ms_per_mib"),
  relay_cpu_per_open_ours_over_go: over("ours_relay_cpu_ms_per_open", "go_relay_cpu_ms_per_open"),
  memory_per_idle_session_ours_over_go: over(
    "ours_kib_per_idle_session",
    "go_kib_per_idle_session",
  ),
};

/** Whole client programs: Go's through each relay, curl against dmsgget, whole stacks. */
const CLIENT_RATIOS: Record<string, RatioSpec> = {
  relay_with_go_clients_ours_over_go: over("go_clients_via_ours_mib_s", "go_clients_via_go_mib_s"),
  relay_cpu_per_mib_with_go_clients_ours_over_go: over(
    "go_clients_via_ours_relay_cpu_ms_per_mib",
    "go_clients_via_go_relay_cpu_ms_per_mib",
  ),
  client_curl_over_dmsgget: over("our_curl_via_go_mib_s", "go_clients_via_go_mib_s"),
  client_curl_over_dmsgget_whole_process_time: over(
    "our_curl_via_go_whole_process_s",
    "go_clients_via_go_whole_process_s",
  ),
  client_cpu_per_mib_curl_over_dmsgget: over(
    "our_curl_via_go_client_cpu_ms_per_mib",
    "go_clients_via_go_client_cpu_ms_per_mib",
  ),
  client_1_byte_curl_over_dmsgget_whole_process_time: over(
    "our_curl_via_go_1_byte_whole_process_s",
    "go_clients_via_go_1_byte_whole_process_s",
  ),
  full_stack_ours_over_go: over("our_stack_mib_s", "go_clients_via_go_mib_s"),
};

/** One round of our clients through the TCP relay, our server and Go's (memory: round 0). */
async function relayRound(
  discovery: string,
  goBin: string | undefined,
  dir: string,
  bytes: number,
  round: number,
): Promise<Figures> {
  const tcp = await measureTcpRelay(bytes);
  log(relayLine("plain TCP relay", tcp, tcp));
  const figures = relayFigures("tcp_relay", tcp);
  const measure = async (key: string, name: string, start: () => Promise<BenchProcess>) => {
    await using server = await start();
    const f = await measureDmsg(discovery, server, bytes);
    const memory = round === 0 ? await memoryPerSession(server) : undefined;
    log(relayLine(name, f, tcp, memory));
    Object.assign(figures, relayFigures(key, f, memory));
  };
  const ours = () => measure("ours", "our dmsg server", () => ourServerProcess(discovery));
  if (!goBin) {
    await ours();
    return figures;
  }
  const go = () => measure("go", "Go dmsg-server", () => goServerProcess(goBin, discovery, dir));
  await inTurn(round, ours, go);
  return figures;
}

function downloadLine(name: string, d: Download): string {
  return `  ${name.padEnd(44)} ${d.mibps.toFixed(1).padStart(7)} MiB/s   whole process ` +
    `${d.bigSeconds.toFixed(2)} s (1-byte file ${d.smallSeconds.toFixed(2)} s)   relay CPU ` +
    `${d.relayCpuMsPerMib.toFixed(1)} ms/MiB   client CPU ${d.clientCpuMsPerMib.toFixed(2)} ms/MiB`;
}

/** One round of Go's client programs and ours, each in its own process. */
async function clientRound(
  bin: string,
  files: string,
  dir: string,
  bytes: number,
  round: number,
): Promise<Figures> {
  log(`Go's client programs and ours, each in its own process (${bytes / MIB} MiB file):`);
  const f = await measureGoClients(bin, files, dir, bytes, round);
  const rows: [string, string, Download][] = [
    ["go_clients_via_ours", "dmsghttp → our server → dmsgget", f.goClientsViaOurs],
    ["go_clients_via_go", "dmsghttp → Go server → dmsgget", f.goClientsViaGo],
    ["our_curl_via_go", "dmsghttp → Go server → skywire dmsg curl", f.ourCurlViaGo],
    ["our_stack", "ours → our server → skywire dmsg curl", f.ourStack],
  ];
  const figures: Figures = {};
  for (const [key, name, d] of rows) {
    log(downloadLine(name, d));
    figures[`${key}_mib_s`] = d.mibps;
    figures[`${key}_whole_process_s`] = d.bigSeconds;
    figures[`${key}_relay_cpu_ms_per_mib`] = d.relayCpuMsPerMib;
    figures[`${key}_1_byte_whole_process_s`] = d.smallSeconds;
    figures[`${key}_client_cpu_ms_per_mib`] = d.clientCpuMsPerMib;
    figures[`${key}_client_cpu_s`] = d.clientCpuSeconds;
  }
  return figures;
}

/** Run every measurement `--rounds` times and print figures and ratios. */
export async function main(): Promise<BenchReport> {
  const mib = sizeArg(Deno.args, 128);
  const rounds = roundsArg(Deno.args, 3);
  const stacksOnly = Deno.args.includes("--stacks");
  const clientsOnly = Deno.args.includes("--clients");
  const bytes = mib * MIB;
  const goBin = Deno.env.get("SKYWIRE_GO_REF_BIN");
  const report: BenchReport = { name: "dmsg", figures: {}, ratios: {}, notes: [] };
  const dir = await Deno.makeTempDir({ prefix: "skywire-dmsg-bench-" });
  const discovery = stacksOnly ? undefined : await startDiscovery({
    storePath: join(dir, "discovery.kv"),
    testMode: true,
    rateLimit: false,
    logger: quiet,
  });
  try {
    const files = goBin && !stacksOnly ? await prepareFiles(dir, bytes) : undefined;
    if (!goBin && !stacksOnly) {
      const note = "Go rows skipped: set SKYWIRE_GO_REF_BIN to the Go dmsg programs";
      report.notes!.push(note);
      log(`  (${note})`);
    }
    const samples: Figures[] = [];
    for (let round = 0; round < rounds; round++) {
      log(`--- round ${round + 1} of ${rounds} (${mib} MiB per throughput run) ---`);
      const figures: Figures = {};
      if (discovery) {
        if (!clientsOnly) {
          log(`dmsg relay, our clients A → relay → B on 127.0.0.1`);
          Object.assign(figures, await relayRound(discovery.url, goBin, dir, bytes, round));
        }
        if (goBin) Object.assign(figures, await clientRound(goBin, files!, dir, bytes, round));
      }
      if (!clientsOnly) Object.assign(figures, await stackRound(goBin, dir, bytes, round, report));
      samples.push(figures);
    }
    summarize(report, samples, { ...RELAY_RATIOS, ...CLIENT_RATIOS, ...STACK_RATIOS });
  } finally {
    await discovery?.close();
    await Deno.remove(dir, { recursive: true });
  }
  return report;
}

if (import.meta.main) {
  const report = await main();
  if (JSON_MODE) console.log(JSON.stringify(report));
}
