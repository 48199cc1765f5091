/**
 * A `skywire dmsg server start` child under attack, for the e2e soak and the attack bench: the
 * issue 9 mix (slowloris sockets, half handshakes, one client's stream flood and bytes pushed
 * toward a silent destination) held while a legitimate `skywire dmsg curl` runs; the server's
 * RSS and descriptors are read from /proc.
 *
 * @module
 */
import { generateKeyPair, PubKey } from "../../mod/cipher/mod.ts";
import { DmsgClient } from "../../mod/dmsg/mod.ts";
import { serveHttp } from "../../mod/dmsg_http/mod.ts";
import { createLogger } from "../../mod/log/mod.ts";
import { type TestNetwork, testNetwork, waitFor } from "../mod/dmsg/_harness.ts";
import {
  attackSession,
  holdConnections,
  pushPastRequest,
  silentDestination,
  silentStreams,
  sourceAddresses,
  xkFirstMessage,
} from "../mod/dmsg/server/_attacks.ts";
import { tempDir } from "../_util/temp_dir.ts";
import { MAIN, skywire, SkywireProcess } from "./_skywire.ts";

/** How much of each attack a round holds at once. */
export interface AttackCounts {
  /** Sockets that send one byte of a handshake and nothing more. */
  slowloris: number;
  /** Sockets that send the first XK message and never finish. */
  halfHandshakes: number;
  /** Streams one client opens and never sends a request on. */
  silentStreams: number;
  /** Streams pushing `pushBytes` past their request toward a destination that never answers. */
  pushStreams: number;
  /** Bytes pushed on each of those. */
  pushBytes: number;
}

/** The goal's mix (issue 9): 1,000 slowloris, 2,000 half handshakes, one client's flood. */
export const ISSUE_COUNTS: AttackCounts = {
  slowloris: 1_000,
  halfHandshakes: 2_000,
  silentStreams: 2_048,
  pushStreams: 1_000,
  pushBytes: 256 * 1024,
};

/** A dmsg server in its own process, a discovery, and a client serving HTTP over dmsg. */
export interface AttackTarget extends AsyncDisposable {
  /** The server process. */
  server: SkywireProcess;
  /** Its key. */
  pk: PubKey;
  /** Its TCP address. */
  address: string;
  /** The discovery everyone uses. */
  net: TestNetwork;
  /** The client whose `/hello` the legitimate curl fetches. */
  host: DmsgClient;
}

/** What one round measured. */
export interface RoundResult {
  /** Wall time of the legitimate `skywire dmsg curl`, process start to exit. */
  curlMs: number;
  /** Its exit code and output. */
  curlCode: number;
  curlStdout: string;
  curlStderr: string;
  /** The server's RSS with the attack held, MiB. */
  rssMiB: number;
  /** The server's open descriptors with the attack held. */
  fdsUnderAttack: number;
  /** Attack sockets the server closed while the attack was held. */
  refusedSockets: number;
  /** Attack sessions the server did not take. */
  refusedSessions: number;
}

/** The server's resident set and its peak so far, MiB (Linux /proc). */
export async function memoryMiB(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kib("VmRSS") / 1024, peak: kib("VmHWM") / 1024 };
}

/** The server's open file descriptors (Linux /proc). */
export async function openFds(pid: number): Promise<number> {
  let n = 0;
  for await (const _ of Deno.readDir(`/proc/${pid}/fd`)) n++;
  return n;
}

/**
 * Start the target. `main` runs another checkout's `main.ts` as the server (the bench measures
 * an older version this way).
 */
export async function startTarget(main = MAIN): Promise<AttackTarget> {
  const net = await testNetwork();
  const dir = await tempDir("skywire-attack-");
  const config = `${dir.path}/dmsg-server.json`;
  const gen = await skywire(["dmsg", "server", "config", "gen", "-o", config]);
  if (gen.code !== 0) throw new Error(`config gen failed: ${gen.stderr}`);
  const flags = await shippedV8Flags();
  const server = new SkywireProcess(
    ["dmsg", "server", "start", "-c", config, "--addr", "127.0.0.1:0", "--discovery", net.url],
    { launcher: [Deno.execPath(), "run", "-A", ...(flags ? [`--v8-flags=${flags}`] : []), main] },
  );
  const [pk, address] = (await server.line(/^[0-9a-f]{66} /)).trim().split(" ");
  const keys = generateKeyPair();
  const host = new DmsgClient({
    pk: keys.pk,
    sk: keys.sk,
    discovery: net.url,
    updateDebounceMs: 50,
    logger: createLogger({ level: "fatal" }),
  });
  await host.start();
  await host.ready(AbortSignal.timeout(10_000));
  const http = serveHttp(host.listen(80), (request) => {
    if (new URL(request.url).pathname === "/hello") return Response.json({ hello: "dmsg" });
    return new Response("no such thing\n", { status: 404 });
  });
  return {
    server,
    pk: PubKey.fromHex(pk),
    address,
    net,
    host,
    async [Symbol.asyncDispose]() {
      await http.shutdown();
      await host.close();
      await server.stop("SIGTERM").catch(() => {});
      await net[Symbol.asyncDispose]();
      await dir[Symbol.asyncDispose]();
    },
  };
}

/**
 * The V8 flags `deno task build` bakes into the binary (read from deno.json), so the server
 * child runs as operators run it; `DMSG_ATTACK_V8_FLAGS` replaces them (empty: none).
 */
export async function shippedV8Flags(): Promise<string> {
  const override = Deno.env.get("DMSG_ATTACK_V8_FLAGS");
  if (override !== undefined) return override;
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  return /--v8-flags=(\S+)/.exec(config.tasks.build)?.[1] ?? "";
}

/** Fetch the host's `/hello` with `skywire dmsg curl`, timed. */
export async function curl(target: AttackTarget) {
  const started = performance.now();
  const out = await skywire([
    "dmsg",
    "curl",
    "-d",
    target.net.url,
    `dmsg://${target.host.pk.hex()}/hello`,
  ]);
  return { ...out, ms: performance.now() - started };
}

/**
 * Hold the attack mix against the target, run the legitimate curl in the middle of it, then
 * lift the attack. Attack sockets come from 127.0.x.y addresses other than 127.0.0.1 (at most
 * 50 per address), as from many hosts; the curl and the host use 127.0.0.1.
 */
export async function attackRound(
  target: AttackTarget,
  counts: AttackCounts = ISSUE_COUNTS,
): Promise<RoundResult> {
  const pid = target.server.pid;
  const perAddress = 50;
  const slowSources = sourceAddresses(Math.ceil(counts.slowloris / perAddress));
  const halfSources = sourceAddresses(
    slowSources.length + Math.ceil(counts.halfHandshakes / perAddress),
  ).slice(slowSources.length);
  const first = xkFirstMessage(target.pk);
  const cleanup: Array<() => PromiseLike<void> | void> = [];
  try {
    const [slow, half] = await Promise.all([
      holdConnections(target.address, counts.slowloris, {
        sources: slowSources,
        first: () => first.subarray(0, 1),
      }),
      holdConnections(target.address, counts.halfHandshakes, {
        sources: halfSources,
        first: () => first,
      }),
    ]);
    cleanup.push(() => slow.close(), () => half.close());
    const floods: Promise<unknown>[] = [];
    // A server that locks everyone out refuses the attackers' sessions too: counted, not fatal.
    let refusedSessions = 0;
    const session = async <T extends AsyncDisposable>(open: () => Promise<T>) => {
      try {
        const opened = await open();
        cleanup.push(() => opened[Symbol.asyncDispose]());
        return opened;
      } catch {
        refusedSessions++;
        return undefined;
      }
    };
    if (counts.silentStreams > 0) {
      const flooder = await session(() => attackSession(target.address, target.pk));
      if (flooder) floods.push(silentStreams(flooder.session, counts.silentStreams));
    }
    if (counts.pushStreams > 0) {
      const silent = await session(() => silentDestination(target.address, target.pk));
      const pusher = await session(() => attackSession(target.address, target.pk));
      if (silent && pusher) {
        floods.push(pushPastRequest(pusher, silent.keys.pk, counts.pushStreams, counts.pushBytes));
      }
    }
    // Let the flood land before the legitimate client comes.
    await Promise.all(floods);
    const result = await curl(target);
    const memory = await memoryMiB(pid);
    return {
      curlMs: result.ms,
      curlCode: result.code,
      curlStdout: result.stdout,
      curlStderr: result.stderr,
      rssMiB: memory.rss,
      fdsUnderAttack: await openFds(pid),
      refusedSockets: slow.closedByServer + half.closedByServer,
      refusedSessions,
    };
  } finally {
    for (const step of cleanup.reverse()) await step();
  }
}

/** Wait until the server holds at most `fds` descriptors again. */
export async function settledFds(pid: number, fds: number, ms = 20_000): Promise<number> {
  await waitFor(`server back to ${fds} fds`, async () => (await openFds(pid)) <= fds, ms);
  return await openFds(pid);
}
