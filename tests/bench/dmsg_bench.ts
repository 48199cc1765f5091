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
 * Run: `deno run -A --config tests/bench/deno.json tests/bench/dmsg_bench.ts [MiB, default 128]
 * [--stacks] [--json]` (`--stacks`: only the whole-stack rows)
 *
 * @module
 */
import { join } from "node:path";
import { createLogger } from "../../mod/log/mod.ts";
import { startDiscovery } from "../../services/dmsg_discovery/mod.ts";
import { type Download, measureGoClients } from "./_dmsg_go.ts";
import {
  measureDmsg,
  measureTcpRelay,
  memoryPerSession,
  MIB,
  type RelayFigures,
} from "./_dmsg_measure.ts";
import { goServerProcess, ourServerProcess } from "./_dmsg_processes.ts";
import { stackRows } from "./_dmsg_stack.ts";
import { type BenchReport, JSON_MODE, log } from "./_report.ts";

const quiet = createLogger({ level: "fatal" });

function round(value: number, digits = 2): number {
  return Number(value.toFixed(digits));
}

function relayLine(name: string, f: RelayFigures, tcp: RelayFigures, memory?: number): string {
  return `  ${name.padEnd(16)} ${f.mibps.toFixed(1).padStart(7)} MiB/s ` +
    `(${(f.mibps / tcp.mibps).toFixed(2)}x TCP relay)   open p50 ${f.p50.toFixed(2)} ms ` +
    `p99 ${f.p99.toFixed(2)} ms   relay CPU ${f.relayCpuMsPerMib!.toFixed(1)} ms/MiB` +
    (f.relayCpuMsPerOpen === undefined ? "" : `, ${f.relayCpuMsPerOpen.toFixed(2)} ms/open`) +
    (memory === undefined ? "" : `   ${(memory / 1024).toFixed(1)} KiB/idle session`);
}

function record(report: BenchReport, key: string, f: RelayFigures, memory?: number): void {
  report.figures[`${key}_mib_s`] = round(f.mibps, 1);
  report.figures[`${key}_open_p50_ms`] = round(f.p50);
  report.figures[`${key}_open_p99_ms`] = round(f.p99);
  report.figures[`${key}_relay_cpu_ms_per_mib`] = round(f.relayCpuMsPerMib!, 1);
  if (f.relayCpuMsPerOpen !== undefined) {
    report.figures[`${key}_relay_cpu_ms_per_open`] = round(f.relayCpuMsPerOpen, 3);
  }
  if (memory !== undefined) report.figures[`${key}_kib_per_idle_session`] = round(memory / 1024, 1);
  // The half-close should follow the last byte at once; a late one is a relay defect.
  if (f.eofDelayMs > 1_000) {
    log(`    ! ${key}: end of stream reached B ${f.eofDelayMs.toFixed(0)} ms after the last byte`);
  }
}

function downloadLine(name: string, d: Download): string {
  return `  ${name.padEnd(44)} ${d.mibps.toFixed(1).padStart(7)} MiB/s   whole process ` +
    `${d.bigSeconds.toFixed(2)} s (1-byte file ${d.smallSeconds.toFixed(2)} s)   relay CPU ` +
    `${d.relayCpuMsPerMib.toFixed(1)} ms/MiB`;
}

async function goClientRows(bin: string, bytes: number, report: BenchReport): Promise<void> {
  log(`Go's client programs and ours, each in its own process (${bytes / MIB} MiB file):`);
  const f = await measureGoClients(bin, bytes);
  const rows: [string, string, Download][] = [
    ["go_clients_via_ours", "dmsghttp → our server → dmsgget", f.goClientsViaOurs],
    ["go_clients_via_go", "dmsghttp → Go server → dmsgget", f.goClientsViaGo],
    ["our_curl_via_go", "dmsghttp → Go server → skywire dmsg curl", f.ourCurlViaGo],
    ["our_stack", "ours → our server → skywire dmsg curl", f.ourStack],
  ];
  for (const [key, name, d] of rows) {
    log(downloadLine(name, d));
    report.figures[`${key}_mib_s`] = round(d.mibps, 1);
    report.figures[`${key}_whole_process_s`] = round(d.bigSeconds);
    report.figures[`${key}_relay_cpu_ms_per_mib`] = round(d.relayCpuMsPerMib, 1);
  }
  const ratios = {
    relay_with_go_clients_ours_over_go: f.goClientsViaOurs.mibps / f.goClientsViaGo.mibps,
    relay_cpu_per_mib_with_go_clients_ours_over_go: f.goClientsViaOurs.relayCpuMsPerMib /
      f.goClientsViaGo.relayCpuMsPerMib,
    client_curl_over_dmsgget: f.ourCurlViaGo.mibps / f.goClientsViaGo.mibps,
    client_curl_over_dmsgget_whole_process_time: f.ourCurlViaGo.bigSeconds /
      f.goClientsViaGo.bigSeconds,
    full_stack_ours_over_go: f.ourStack.mibps / f.goClientsViaGo.mibps,
  };
  for (const [key, value] of Object.entries(ratios)) report.ratios[key] = round(value);
  log(
    `  ours/Go: relay with Go clients ${ratios.relay_with_go_clients_ours_over_go.toFixed(2)}x ` +
      `(relay CPU/MiB ${ratios.relay_cpu_per_mib_with_go_clients_ours_over_go.toFixed(2)}x), ` +
      `curl/dmsgget ${ratios.client_curl_over_dmsgget.toFixed(2)}x, whole stack ` +
      `${ratios.full_stack_ours_over_go.toFixed(2)}x`,
  );
}

/** Run every measurement and print figures and ratios. */
export async function main(): Promise<BenchReport> {
  const mib = Number(Deno.args.find((arg) => /^\d+$/.test(arg)) ?? 128);
  const bytes = mib * MIB;
  const goBin = Deno.env.get("SKYWIRE_GO_REF_BIN");
  const report: BenchReport = { name: "dmsg", figures: {}, ratios: {}, notes: [] };
  const dir = await Deno.makeTempDir({ prefix: "skywire-dmsg-bench-" });
  try {
    if (Deno.args.includes("--stacks")) {
      await stackRows(goBin, dir, bytes, report);
      return report;
    }
    const discovery = await startDiscovery({
      storePath: join(dir, "discovery.kv"),
      testMode: true,
      rateLimit: false,
      logger: quiet,
    });
    try {
      log(`dmsg relay, our clients A → relay → B on 127.0.0.1, ${mib} MiB per throughput run`);
      const tcp = await measureTcpRelay(bytes);
      log(relayLine("plain TCP relay", tcp, tcp));
      record(report, "tcp_relay", tcp);
      let ours: RelayFigures, ourMemory: number;
      {
        await using server = await ourServerProcess(discovery.url);
        ours = await measureDmsg(discovery.url, server, bytes);
        ourMemory = await memoryPerSession(server);
      }
      log(relayLine("our dmsg server", ours, tcp, ourMemory));
      record(report, "ours", ours, ourMemory);
      if (goBin) {
        await using server = await goServerProcess(goBin, discovery.url, dir);
        const go = await measureDmsg(discovery.url, server, bytes);
        const goMemory = await memoryPerSession(server);
        log(relayLine("Go dmsg-server", go, tcp, goMemory));
        record(report, "go", go, goMemory);
        const ratios = {
          our_clients_throughput_ours_over_go: ours.mibps / go.mibps,
          open_p50_ours_over_go: ours.p50 / go.p50,
          open_p99_ours_over_go: ours.p99 / go.p99,
          relay_cpu_per_mib_ours_over_go: ours.relayCpuMsPerMib! / go.relayCpuMsPerMib!,
          relay_cpu_per_open_ours_over_go: ours.relayCpuMsPerOpen! / go.relayCpuMsPerOpen!,
          memory_per_idle_session_ours_over_go: ourMemory / goMemory,
        };
        for (const [key, value] of Object.entries(ratios)) report.ratios[key] = round(value);
        log(
          `  ours/Go: throughput ${ratios.our_clients_throughput_ours_over_go.toFixed(2)}x, ` +
            `open p50 ${ratios.open_p50_ours_over_go.toFixed(2)}x, p99 ` +
            `${ratios.open_p99_ours_over_go.toFixed(2)}x, relay CPU/MiB ` +
            `${ratios.relay_cpu_per_mib_ours_over_go.toFixed(2)}x, relay CPU/open ` +
            `${ratios.relay_cpu_per_open_ours_over_go.toFixed(2)}x, memory/session ` +
            `${ratios.memory_per_idle_session_ours_over_go.toFixed(2)}x`,
        );
      } else {
        const note = "Go rows skipped: set SKYWIRE_GO_REF_BIN to the Go dmsg programs";
        report.notes!.push(note);
        log(`  (${note})`);
      }
    } finally {
      await discovery.close();
    }
    if (goBin) await goClientRows(goBin, bytes, report);
    await stackRows(goBin, dir, bytes, report);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return report;
}

if (import.meta.main) {
  const report = await main();
  if (JSON_MODE) console.log(JSON.stringify(report));
}
