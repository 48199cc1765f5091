/**
 * Whole stacks, every part in its own process: a dialing client → a dmsg server → a listening
 * client, each of the three ours or Go's (tests/interop/go/dmsgpeer with Go's dmsg-server). The
 * dialer times its own opens (dial call to stream ready, discovery lookup included, as each
 * client does it) and one throughput run; the CPU time of all three processes is read from
 * /proc at the phase boundaries, so an open's cost shows per process, which the machine's
 * other load does not inflate as it does wall-clock latency. Every setup has a discovery of its
 * own (ours, in this process) that lists only its one server.
 *
 * @module
 */
import { join } from "node:path";
import { withDiscovery } from "./_dmsg_go.ts";
import { MIB, OPENS, percentile } from "./_dmsg_measure.ts";
import { OUR_PEER, type PeerProcess, peerProcess, type PeerProgram } from "./_dmsg_peer.ts";
import { type BenchProcess, cpuMs, goServerProcess, ourServerProcess } from "./_dmsg_processes.ts";
import { type BenchReport, log } from "./_report.ts";
import { type Figures, goFirst, over, type RatioSpec } from "./_rounds.ts";

const PORT = 9;

/** CPU time of each process of a stack, ms per unit. */
export interface StackCpu {
  dialer: number;
  server: number;
  listener: number;
}

/** What one stack did. */
export interface StackFigures {
  /** Stream-open latency percentiles at the dialer, ms. */
  p50: number;
  p99: number;
  /** Dialer → listener throughput over one stream, MiB/s. */
  mibps: number;
  /** CPU time per stream open. */
  cpuMsPerOpen: StackCpu;
  /** CPU time per MiB moved. */
  cpuMsPerMib: StackCpu;
}

/** The three programs of one stack. */
export interface Stack {
  dialer: PeerProgram;
  server: (discovery: string) => Promise<BenchProcess>;
  listener: PeerProgram;
}

function cpuOf(dialer: PeerProcess, server: BenchProcess, listener: PeerProcess): StackCpu {
  return { dialer: cpuMs(dialer.pid), server: cpuMs(server.pid), listener: cpuMs(listener.pid) };
}

function perUnit(before: StackCpu, after: StackCpu, units: number): StackCpu {
  return {
    dialer: (after.dialer - before.dialer) / units,
    server: (after.server - before.server) / units,
    listener: (after.listener - before.listener) / units,
  };
}

/** Run `stack`: OPENS stream opens, then `bytes` over one stream. */
export function measureStack(stack: Stack, dir: string, bytes: number): Promise<StackFigures> {
  return withDiscovery(dir, async (discovery) => {
    await using server = await stack.server(discovery);
    await using listener = await peerProcess(stack.listener, ["listen", discovery, `${PORT}`]);
    await using dialer = await peerProcess(stack.dialer, [
      "dial",
      discovery,
      listener.pk,
      `${PORT}`,
      `${OPENS}`,
      `${bytes / MIB}`,
    ]);
    const start = cpuOf(dialer, server, listener);
    const opens = await dialer.step();
    const opened = cpuOf(dialer, server, listener);
    const moved = await dialer.step();
    const end = cpuOf(dialer, server, listener);
    const ms = (opens.ms as number[]).toSorted((a, b) => a - b);
    return {
      p50: percentile(ms, 50),
      p99: percentile(ms, 99),
      mibps: Number(moved.bytes) / MIB / Number(moved.seconds),
      cpuMsPerOpen: perUnit(start, opened, ms.length),
      cpuMsPerMib: perUnit(opened, end, bytes / MIB),
    };
  });
}

/** Where Go's dmsgpeer is: SKYWIRE_GO_DMSGPEER_BIN, else `dmsgpeer` in SKYWIRE_GO_REF_BIN. */
export function goPeerBinary(goBin: string | undefined): string | undefined {
  const named = Deno.env.get("SKYWIRE_GO_DMSGPEER_BIN");
  if (named) return named;
  if (!goBin) return undefined;
  try {
    return Deno.statSync(join(goBin, "dmsgpeer")).isFile ? join(goBin, "dmsgpeer") : undefined;
  } catch {
    return undefined;
  }
}

function stackLine(name: string, f: StackFigures): string {
  const o = f.cpuMsPerOpen, m = f.cpuMsPerMib;
  return `  ${name.padEnd(40)} open p50 ${f.p50.toFixed(2)} ms p99 ${f.p99.toFixed(2)} ms  ` +
    `${f.mibps.toFixed(1).padStart(6)} MiB/s   CPU/open dialer ${o.dialer.toFixed(2)} server ` +
    `${o.server.toFixed(2)} listener ${o.listener.toFixed(2)} ms   CPU/MiB ` +
    `${m.dialer.toFixed(1)}/${m.server.toFixed(1)}/${m.listener.toFixed(1)} ms`;
}

/** `f` as report figures under `key`, with each process's CPU and the three's total. */
function figuresOf(key: string, f: StackFigures): Figures {
  const total = (cpu: StackCpu) => cpu.dialer + cpu.server + cpu.listener;
  const out: Figures = {
    [`${key}_open_p50_ms`]: f.p50,
    [`${key}_open_p99_ms`]: f.p99,
    [`${key}_mib_s`]: f.mibps,
    [`${key}_cpu_ms_per_open`]: total(f.cpuMsPerOpen),
    [`${key}_cpu_ms_per_mib`]: total(f.cpuMsPerMib),
  };
  for (const part of ["dialer", "server", "listener"] as const) {
    out[`${key}_${part}_cpu_ms_per_open`] = f.cpuMsPerOpen[part];
    out[`${key}_${part}_cpu_ms_per_mib`] = f.cpuMsPerMib[part];
  }
  return out;
}

/** The whole-stack ratios ours/Go, from the figures {@linkcode stackRound} records. */
export const STACK_RATIOS: Record<string, RatioSpec> = {
  stack_open_p50_ours_over_go: over("stack_ours_open_p50_ms", "stack_go_open_p50_ms"),
  stack_open_p99_ours_over_go: over("stack_ours_open_p99_ms", "stack_go_open_p99_ms"),
  stack_throughput_ours_over_go: over("stack_ours_mib_s", "stack_go_mib_s"),
  stack_cpu_per_open_ours_over_go: over("stack_ours_cpu_ms_per_open", "stack_go_cpu_ms_per_open"),
  stack_cpu_per_mib_ours_over_go: over("stack_ours_cpu_ms_per_mib", "stack_go_cpu_ms_per_mib"),
  // The same Go clients, only the server differs.
  server_open_p50_ours_over_go: over("stack_go_peers_via_ours_open_p50_ms", "stack_go_open_p50_ms"),
  server_cpu_per_open_ours_over_go: over(
    "stack_go_peers_via_ours_server_cpu_ms_per_open",
    "stack_go_server_cpu_ms_per_open",
  ),
  server_cpu_per_mib_ours_over_go: over(
    "stack_go_peers_via_ours_server_cpu_ms_per_mib",
    "stack_go_server_cpu_ms_per_mib",
  ),
  server_throughput_ours_over_go: over("stack_go_peers_via_ours_mib_s", "stack_go_mib_s"),
  // The same Go server, only the clients differ.
  clients_open_p50_ours_over_go: over("stack_our_peers_via_go_open_p50_ms", "stack_go_open_p50_ms"),
  dialer_cpu_per_open_ours_over_go: over(
    "stack_our_peers_via_go_dialer_cpu_ms_per_open",
    "stack_go_dialer_cpu_ms_per_open",
  ),
  listener_cpu_per_open_ours_over_go: over(
    "stack_our_peers_via_go_listener_cpu_ms_per_open",
    "stack_go_listener_cpu_ms_per_open",
  ),
  clients_throughput_ours_over_go: over("stack_our_peers_via_go_mib_s", "stack_go_mib_s"),
};

/**
 * One round of the whole-stack rows: ours → our server → ours always; with Go's dmsg-server
 * in `goBin` and dmsgpeer, also Go → Go → Go and the mixed pairs (Go clients through our
 * server, our clients through Go's). Odd rounds run Go's rows first. Returns the round's
 * figures (see {@linkcode STACK_RATIOS}); a missing Go program is noted in `report` once.
 */
export async function stackRound(
  goBin: string | undefined,
  dir: string,
  bytes: number,
  round: number,
  report: BenchReport,
): Promise<Figures> {
  const peer = goPeerBinary(goBin);
  log(
    `Whole stacks, dialer → server → listener each in its own process (${OPENS} opens, ` +
      `${bytes / MIB} MiB):`,
  );
  const rows: [string, string, Stack][] = [
    ["stack_ours", "ours → our server → ours", {
      dialer: OUR_PEER,
      server: ourServerProcess,
      listener: OUR_PEER,
    }],
  ];
  if (goBin && peer) {
    const goServer = (discovery: string) => goServerProcess(goBin, discovery, dir);
    rows.push(
      ["stack_go", "Go → Go server → Go", { dialer: [peer], server: goServer, listener: [peer] }],
      ["stack_go_peers_via_ours", "Go → our server → Go", {
        dialer: [peer],
        server: ourServerProcess,
        listener: [peer],
      }],
      ["stack_our_peers_via_go", "ours → Go server → ours", {
        dialer: OUR_PEER,
        server: goServer,
        listener: OUR_PEER,
      }],
    );
    // Alternate: the Go → Go row first, then ours, then the mixed pairs the other way round.
    if (goFirst(round)) rows.splice(0, 4, rows[1], rows[0], rows[3], rows[2]);
  } else if (round === 0) {
    const note = "Go whole-stack rows skipped: set SKYWIRE_GO_REF_BIN (dmsg-server) and build " +
      "tests/interop/go/dmsgpeer into it or name it in SKYWIRE_GO_DMSGPEER_BIN";
    report.notes!.push(note);
    log(`  (${note})`);
  }
  const figures: Figures = {};
  for (const [key, name, stack] of rows) {
    const f = await measureStack(stack, dir, bytes);
    log(stackLine(name, f));
    Object.assign(figures, figuresOf(key, f));
  }
  return figures;
}
