/**
 * The discoveries the throughput bench compares, each in its own OS process: ours (a checkout's
 * `skywire dmsg discovery`, the checkout chosen by `SKYWIRE_ROOT`), Go's dmsg-discovery on its
 * own Redis, and the Deno runtime's floor for the same load. Also their per-process readings
 * (CPU time, peak RSS).
 *
 * @module
 */
import { join } from "node:path";
import { freePort, waitForPort } from "../interop/_go_ref.ts";
import { cpuMs, PROFILE_FLAGS, SHIPPED_V8_FLAGS } from "./_dmsg_processes.ts";

/** A discovery under measurement: its URL and every process it runs in. */
export interface DiscTarget extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:9090`. */
  url: string;
  /** The processes (Go: discovery and Redis) whose CPU and memory are counted. */
  pids: number[];
}

/** Total CPU time (user + system) of `pids`, ms. */
export function totalCpuMs(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
}

/** Sum of the peak resident sets (VmHWM) of `pids`, MiB. */
export function peakRssMiB(pids: number[]): number {
  return pids.reduce((sum, pid) => {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return sum + Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
  }, 0);
}

/** Resident set of processes at one moment, MiB: all of it, anonymous and file-backed. */
export interface RssSplit {
  /** VmRSS. */
  rss: number;
  /** RssAnon: the heaps (V8's, malloc's), stacks: memory of this process alone. */
  anon: number;
  /** RssFile: mapped files (the runtime's binary, shared libraries), shared between processes. */
  file: number;
}

/** {@linkcode RssSplit} of `pids` now, summed. */
export function rssSplitOf(pids: number[]): RssSplit {
  const sum: RssSplit = { rss: 0, anon: 0, file: 0 };
  for (const pid of pids) {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kib = (field: string) =>
      Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
    sum.rss += kib("VmRSS");
    sum.anon += kib("RssAnon");
    sum.file += kib("RssFile");
  }
  return sum;
}

/**
 * Sample {@linkcode rssSplitOf} every `intervalMs` until disposed; `peak()` returns the sample
 * with the largest total: how the peak divides into anonymous and file-backed memory (VmHWM has
 * the peak only as a total). Disposing stops the sampling on every path (`using`).
 */
export function sampleRssSplit(
  pids: number[],
  intervalMs = 20,
): { peak(): RssSplit } & Disposable {
  let peak = rssSplitOf(pids);
  const timer = setInterval(() => {
    try {
      const now = rssSplitOf(pids);
      if (now.rss > peak.rss) peak = now;
    } catch {
      // A process that ended is reported by the load's failures; its last sample stands.
    }
  }, intervalMs);
  return {
    peak() {
      const now = rssSplitOf(pids);
      return now.rss > peak.rss ? now : peak;
    },
    [Symbol.dispose]() {
      clearInterval(timer);
    },
  };
}

/** Current resident sets (VmRSS) of `pids` summed, MiB. */
export function rssMiBOf(pids: number[]): number {
  return rssSplitOf(pids).rss;
}

async function stop(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch {
    // Already gone.
  }
  await child.status;
}

async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`child ended before its first line: ${text}`);
    text += value;
    const newline = text.indexOf("\n");
    if (newline >= 0) {
      reader.releaseLock();
      return text.slice(0, newline);
    }
  }
}

/** A Deno child that prints its base URL as its first line, as a target. */
async function denoTarget(args: string[]): Promise<DiscTarget> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...SHIPPED_V8_FLAGS, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const url = await firstLine(child.stdout);
  return {
    url,
    pids: [child.pid],
    async [Symbol.asyncDispose]() {
      await child.stdout.cancel().catch(() => {});
      await stop(child);
    },
  };
}

/**
 * Our discovery from checkout `root` as an operator runs it (`skywire dmsg discovery` of its
 * main.ts, with the V8 flags it ships with), in test mode, without rate limit, store in `dir`.
 * Not a child of this file: the modules of the bench itself (the dmsg client and server of
 * `_dmsg_processes.ts`) would be counted in its memory, ~6 MiB of RSS the service never loads.
 */
export function ourDiscovery(root: string, dir: string): Promise<DiscTarget> {
  return denoTarget([
    // With SKYWIRE_BENCH_CPU_PROF=DIR: to see where a registration's CPU goes.
    ...PROFILE_FLAGS,
    ...["--config", join(root, "deno.json"), join(root, "main.ts")],
    ...["dmsg", "discovery", "-t", "-a", "127.0.0.1:0", "--data", dir],
    ...["--log-level", "error", "--rate-limit", "off"],
  ]);
}

/**
 * The runtime's floor (`_disc_floor.ts`: Deno KV and a TCP listener answering the same load with
 * no checks), with the same V8 flags, store in `dir`.
 */
export function denoFloor(dir: string): Promise<DiscTarget> {
  return denoTarget([
    "--unstable-kv",
    new URL("./_disc_floor.ts", import.meta.url).pathname,
    join(dir, "floor.kv"),
  ]);
}

/** Go's `dmsg-discovery-2024` from `bin` in test mode, on a fresh Redis of its own. */
export async function goDiscovery(bin: string, dir: string): Promise<DiscTarget> {
  const redisPort = freePort();
  const redis = new Deno.Command("redis-server", {
    args: [
      ...["--port", String(redisPort), "--bind", "127.0.0.1", "--save", ""],
      ...["--appendonly", "no", "--dir", dir],
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    await waitForPort(redisPort);
    const port = freePort();
    const disc = new Deno.Command(join(bin, "dmsg-discovery-2024"), {
      args: ["-t", "-a", `127.0.0.1:${port}`, "--redis", `redis://127.0.0.1:${redisPort}`],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitForPort(port);
    return {
      url: `http://127.0.0.1:${port}`,
      pids: [disc.pid, redis.pid],
      async [Symbol.asyncDispose]() {
        await stop(disc);
        await stop(redis);
      },
    };
  } catch (error) {
    await stop(redis);
    throw error;
  }
}
