/**
 * Downloads between whole client programs, each in its own process, so that our relay and
 * Go's are compared with the same (Go) clients, and whole stacks with their own clients:
 *
 * - relay only: Go's dmsgget fetching from Go's dmsghttp through our dmsg server and through
 *   Go's dmsg-server (which of the two goes first alternates round by round);
 * - client only: `skywire dmsg curl` against dmsgget, both from Go's dmsghttp via Go's server;
 * - whole stack: our file server → our server → `skywire dmsg curl`, against dmsghttp → Go's
 *   server → dmsgget.
 *
 * Throughput is the big file's size over (time to fetch it − time to fetch a 1-byte file) with
 * the same program: process start, discovery lookups and session setup cancel out. Every setup
 * has a discovery of its own (ours, in this process) that lists only its one server.
 *
 * @module
 */
import { join } from "node:path";
import { createLogger } from "../../mod/log/mod.ts";
import { startDiscovery } from "../../services/dmsg_discovery/mod.ts";
import { MIB } from "./_dmsg_measure.ts";
import { inTurn } from "./_rounds.ts";
import {
  type BenchProcess,
  cpuMs,
  goFileServerProcess,
  goServerProcess,
  ourFileServerProcess,
  ourServerProcess,
  SHIPPED_V8_FLAGS,
} from "./_dmsg_processes.ts";

const quiet = createLogger({ level: "fatal" });
const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const ROOT_CONFIG = new URL("../../deno.json", import.meta.url).pathname;
const DOWNLOAD_TIMEOUT_MS = 300_000;

/** One client program's download through one relay. */
export interface Download {
  /** Big-file throughput with the fixed costs taken out, MiB/s. */
  mibps: number;
  /** Whole-process time for the big file, s. */
  bigSeconds: number;
  /** Whole-process time for the 1-byte file, s. */
  smallSeconds: number;
  /** The relay's CPU time per MiB during the big download, ms. */
  relayCpuMsPerMib: number;
  /**
   * The client program's own CPU time per MiB: its big download's CPU time less its 1-byte
   * one's (start-up and session set-up cancel out), ms. 10 ms clock ticks.
   */
  clientCpuMsPerMib: number;
  /** The client program's whole CPU time for the big file, s. */
  clientCpuSeconds: number;
}

/** What {@linkcode measureGoClients} found. */
export interface GoClientFigures {
  /** dmsghttp → our server → dmsgget. */
  goClientsViaOurs: Download;
  /** dmsghttp → Go's server → dmsgget (the whole Go stack). */
  goClientsViaGo: Download;
  /** dmsghttp → Go's server → `skywire dmsg curl`. */
  ourCurlViaGo: Download;
  /** our file server → our server → `skywire dmsg curl` (the whole stack of ours). */
  ourStack: Download;
}

/** A client program's command line (program first) fetching `url` into `out`. */
type Fetcher = string[];
type FetcherFor = (discovery: string, url: string, out: string) => Fetcher;

const dmsgget = (bin: string): FetcherFor => (discovery, url, out) => [
  join(bin, "dmsgget"),
  ...["-d", discovery, "-o", out, url],
];

const ourCurl: FetcherFor = (discovery, url, out) => [
  Deno.execPath(),
  ...["run", "-A", ...SHIPPED_V8_FLAGS, "--config", ROOT_CONFIG, MAIN, "dmsg", "curl"],
  ...["-d", discovery, "--timeout", "300s", "-o", out, url],
];

// Runs the client under sh, which waits for it and then prints its own /proc stat line: the
// waited-for child's CPU time is in the shell's cutime and cstime (the client's output is
// discarded, as its stdout and stderr were before).
const WITH_CPU = '"$@" >/dev/null 2>&1; s=$?; read -r stat < /proc/$$/stat; echo "$stat"; exit $s';

/** Whole-process time (s) and CPU time (user + system, s) of `command`'s program. */
async function timed(command: Fetcher, what: string): Promise<{ seconds: number; cpu: number }> {
  const [program, ...args] = command;
  const start = performance.now();
  const child = new Deno.Command("/bin/sh", {
    args: ["-c", WITH_CPU, "sh", program, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), DOWNLOAD_TIMEOUT_MS);
  const { success, code, stdout } = await child.output();
  const seconds = (performance.now() - start) / 1000;
  clearTimeout(timer);
  if (!success) throw new Error(`${what} failed (exit ${code})`);
  const stat = new TextDecoder().decode(stdout);
  // Fields after the command name (which may hold spaces) start at ") "; cutime and cstime are
  // the 16th and 17th, in clock ticks of 10 ms.
  const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
  return { seconds, cpu: (Number(fields[13]) + Number(fields[14])) / 100 };
}

async function download(
  fetcher: FetcherFor,
  discovery: string,
  filesPk: string,
  relay: BenchProcess,
  dir: string,
  bytes: number,
): Promise<Download> {
  const url = (name: string) => `dmsg://${filesPk}:80/${name}`;
  const out = () => join(dir, `out-${crypto.randomUUID()}`);
  const small = await timed(fetcher(discovery, url("small.bin"), out()), "small download");
  const cpuBefore = cpuMs(relay.pid);
  const bigOut = out();
  const big = await timed(fetcher(discovery, url("big.bin"), bigOut), "big download");
  const relayCpuMsPerMib = (cpuMs(relay.pid) - cpuBefore) / (bytes / MIB);
  const size = (await Deno.stat(bigOut)).size;
  if (size !== bytes) throw new Error(`downloaded ${size} of ${bytes} bytes`);
  await Deno.remove(bigOut);
  const mibps = bytes / MIB / Math.max(big.seconds - small.seconds, 1e-3);
  return {
    mibps,
    bigSeconds: big.seconds,
    smallSeconds: small.seconds,
    relayCpuMsPerMib,
    clientCpuMsPerMib: (big.cpu - small.cpu) * 1000 / (bytes / MIB),
    clientCpuSeconds: big.cpu,
  };
}

/** The payload files dmsghttp and our file server share. */
async function writeFiles(dir: string, bytes: number): Promise<void> {
  await Deno.writeFile(join(dir, "small.bin"), Uint8Array.of(0x2a));
  using file = await Deno.open(join(dir, "big.bin"), { write: true, create: true });
  const block = new Uint8Array(MIB).map((_, i) => (i * 31) & 0xff);
  for (let written = 0; written < bytes; written += block.length) {
    let offset = 0;
    while (offset < block.length) offset += await file.write(block.subarray(offset));
  }
}

/** Run `run` with a discovery of its own (ours, in this process, a KV file in `dir`). */
export async function withDiscovery<T>(
  dir: string,
  run: (url: string) => Promise<T>,
): Promise<T> {
  const discovery = await startDiscovery({
    storePath: join(dir, `discovery-${crypto.randomUUID()}.kv`),
    testMode: true,
    rateLimit: false,
    logger: quiet,
  });
  try {
    return await run(discovery.url);
  } finally {
    await discovery.close();
  }
}

/** Write the payload files of {@linkcode measureGoClients} into a new folder of `dir`. */
export async function prepareFiles(dir: string, bytes: number): Promise<string> {
  const files = join(dir, "files");
  await Deno.mkdir(files);
  await writeFiles(files, bytes);
  return files;
}

/**
 * One round of the three comparisons with the Go programs in `bin`, `bytes` per download of
 * the files in `files` (from {@linkcode prepareFiles}). Odd rounds run Go's side of each pair
 * first (Go's server before ours, dmsgget before curl) so that neither side always runs
 * first.
 */
export async function measureGoClients(
  bin: string,
  files: string,
  dir: string,
  bytes: number,
  round: number,
): Promise<GoClientFigures> {
  const viaGo = () =>
    withDiscovery(dir, async (discovery) => {
      await using server = await goServerProcess(bin, discovery, dir);
      await using http = await goFileServerProcess(bin, discovery, files);
      const [ourCurlViaGo, goClientsViaGo] = await inTurn(
        round,
        () => download(ourCurl, discovery, http.pk!, server, dir, bytes),
        () => download(dmsgget(bin), discovery, http.pk!, server, dir, bytes),
      );
      return { goClientsViaGo, ourCurlViaGo };
    });
  const viaOurs = () =>
    withDiscovery(dir, async (discovery) => {
      await using server = await ourServerProcess(discovery);
      const goClientsViaOurs = await (async () => {
        await using http = await goFileServerProcess(bin, discovery, files);
        return await download(dmsgget(bin), discovery, http.pk!, server, dir, bytes);
      })();
      await using ours = await ourFileServerProcess(discovery, files);
      const ourStack = await download(ourCurl, discovery, ours.pk!, server, dir, bytes);
      return { goClientsViaOurs, ourStack };
    });
  const [ours, go] = await inTurn(round, viaOurs, viaGo);
  return { ...ours, ...go };
}
