/**
 * The discovery throughput load: signed client entries made before any clock starts, then
 * registrations (every key, ROUNDS times, each round the next sequence), lookups of every key,
 * lookups of keys that are not stored, and `/entries` one at a time, against one
 * {@linkcode DiscTarget}. Rates are counted per wall second and per CPU second of the target's
 * processes (Go: discovery + Redis), the fair figure on a shared machine.
 *
 * @module
 */
import { generateKeyPair, type PubKey } from "../../mod/cipher/mod.ts";
import { marshalEntry, newClientEntry, nowNanos, signEntry } from "../../mod/dmsg/mod.ts";
import { type DiscTarget, peakRssMiB, sampleRssSplit, totalCpuMs } from "./_disc_targets.ts";

/** Requests in flight at once during the throughput phases. */
export const CONCURRENCY = 16;
/** Sequential `/entries` requests timed. */
const LIST_CALLS = 200;

/** The load: keys and, per round, every key's signed entry (JSON). */
export interface DiscLoad {
  /** Key hex of every client. */
  keys: string[];
  /** `bodies[round][i]`: client i's entry with sequence `round`. */
  bodies: Uint8Array[][];
  /** Keys (hex) that are never registered. */
  absent: string[];
}

/** Sign `clients` entries for each of `rounds` sequences (each with two delegated servers). */
export function makeLoad(clients: number, rounds: number): DiscLoad {
  const servers: PubKey[] = [generateKeyPair().pk, generateKeyPair().pk];
  const keys = Array.from({ length: clients }, generateKeyPair);
  const start = nowNanos();
  const bodies = Array.from(
    { length: rounds },
    (_, round) =>
      keys.map((k) =>
        marshalEntry(signEntry(
          newClientEntry({
            pk: k.pk,
            sequence: BigInt(round),
            timestamp: start + BigInt(round) * 1_000_000n,
            delegatedServers: servers,
            clientType: "visor",
          }),
          k.sk,
        ))
      ),
  );
  const absent = Array.from({ length: clients }, () => generateKeyPair().pk.hex());
  return { keys: keys.map((k) => k.pk.hex()), bodies, absent };
}

/** Outcome of one phase. */
interface Phase {
  count: number;
  wallMs: number;
  cpuMs: number;
  failures: number;
  latencies: number[];
}

async function phase(
  target: DiscTarget,
  count: number,
  concurrency: number,
  request: (i: number) => Promise<Response>,
  expect: number,
): Promise<Phase> {
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const cpu0 = totalCpuMs(target.pids);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const i = next++;
      const t = performance.now();
      const res = await request(i);
      await res.arrayBuffer();
      latencies.push(performance.now() - t);
      if (res.status !== expect) failures++;
    }
  }));
  return {
    count,
    wallMs: performance.now() - t0,
    cpuMs: totalCpuMs(target.pids) - cpu0,
    failures,
    latencies,
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function rates(prefix: string, p: Phase): Record<string, number> {
  return {
    [`${prefix}_per_s`]: p.count / (p.wallMs / 1000),
    // The processes' CPU is read in 10 ms ticks; a floor of one tick keeps this finite.
    [`${prefix}_per_cpu_s`]: p.count / (Math.max(p.cpuMs, 10) / 1000),
    [`${prefix}_failures`]: p.failures,
  };
}

/** Run every phase against `target`; returns its figures. */
export async function measureTarget(
  target: DiscTarget,
  load: DiscLoad,
  lookupRepeats: number,
): Promise<Record<string, number>> {
  const { keys, bodies, absent } = load;
  const n = keys.length;
  const url = target.url;
  const figures: Record<string, number> = {};
  using rss = sampleRssSplit(target.pids);
  let registered = 0, registerWall = 0, registerCpu = 0, registerFailures = 0;
  for (const round of bodies) {
    const p = await phase(target, n, CONCURRENCY, (i) =>
      fetch(`${url}/dmsg-discovery/entry/`, {
        method: "POST",
        body: round[i] as Uint8Array<ArrayBuffer>,
        headers: { "content-type": "application/json" },
      }), 200);
    registered += p.count;
    registerWall += p.wallMs;
    registerCpu += p.cpuMs;
    registerFailures += p.failures;
  }
  Object.assign(
    figures,
    rates("register", {
      count: registered,
      wallMs: registerWall,
      cpuMs: registerCpu,
      failures: registerFailures,
      latencies: [],
    }),
  );
  const lookups = await phase(
    target,
    n * lookupRepeats,
    CONCURRENCY,
    (i) => fetch(`${url}/dmsg-discovery/entry/${keys[i % n]}`),
    200,
  );
  Object.assign(figures, rates("lookup", lookups));
  const misses = await phase(
    target,
    n * lookupRepeats,
    CONCURRENCY,
    (i) => fetch(`${url}/dmsg-discovery/entry/${absent[i % n]}`),
    404,
  );
  Object.assign(figures, rates("lookup_absent", misses));
  const list = await phase(
    target,
    LIST_CALLS,
    1,
    () => fetch(`${url}/dmsg-discovery/entries`),
    200,
  );
  figures.entries_p50_ms = percentile(list.latencies, 0.5);
  figures.entries_p99_ms = percentile(list.latencies, 0.99);
  figures.entries_cpu_ms_per_call = list.cpuMs / LIST_CALLS;
  figures.entries_failures = list.failures;
  figures.peak_rss_mib = peakRssMiB(target.pids);
  // The sampled peak (20 ms apart, so a little under VmHWM's) split into the processes' own
  // memory and the mapped files they share with others (a runtime binary, libraries).
  const split = rss.peak();
  figures.peak_rss_anon_mib = split.anon;
  figures.peak_rss_file_mib = split.file;
  return figures;
}
