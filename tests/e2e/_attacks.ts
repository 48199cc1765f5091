/**
 * The attacks of the hardening issue, as helpers for the flood test, the soak and the bench:
 * a discovery store filled to the entry bounds, list floods, slowloris sockets, bodies that
 * never end, replayed deletes; and what a child process holds (/proc: RSS, open fds).
 */
import { connect, type Socket } from "node:net";
import { generateKeyPair, type KeyPair, type PubKey } from "../../mod/cipher/mod.ts";
import {
  type Entry,
  marshalEntry,
  newClientEntry,
  newServerEntry,
  nowNanos,
  signEntry,
} from "../../mod/dmsg/mod.ts";
import { createLogger } from "../../mod/log/mod.ts";
import { openStore } from "../../mod/store/mod.ts";
import { DiscoveryStore, MAX_DELEGATED_SERVERS } from "../../services/dmsg_discovery/mod.ts";

/** Resident memory of process `pid` in MiB (Linux /proc). */
export function rssMiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = Number(status.match(/^VmRSS:\s+(\d+)/m)?.[1] ?? NaN);
  return kb / 1024;
}

/** Open file descriptors of process `pid` (Linux /proc). */
export function fdCount(pid: number): number {
  return [...Deno.readDirSync(`/proc/${pid}/fd`)].length;
}

/** Sample `pid`'s RSS every 25 ms while `work` runs; resolves with the work's result and the peak. */
export async function peakRss<T>(
  pid: number,
  work: Promise<T>,
): Promise<{ result: T; peakMiB: number }> {
  let peak = rssMiB(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMiB(pid));
    } catch {
      // The process is gone; the work's own failure says why.
    }
  }, 25);
  try {
    return { result: await work, peakMiB: Math.max(peak, rssMiB(pid)) };
  } finally {
    clearInterval(timer);
  }
}

/** What {@linkcode fillDiscovery} wrote. */
export interface FilledDiscovery {
  /** The client keys, each with {@linkcode MAX_DELEGATED_SERVERS} delegated servers. */
  clients: KeyPair[];
  /** The delegated servers (also registered as server entries). */
  servers: KeyPair[];
}

/**
 * The calls of a discovery store that {@linkcode putEntries} makes: this checkout's
 * `DiscoveryStore`, or another checkout's (the bench compares them).
 */
export interface EntryStore<Read = unknown> {
  /** The stored record of a key (passed back to `put` as what was read). */
  get(pk: string): Promise<Read>;
  /** Store a signed entry; no expiry when `ttl` is 0. */
  put(entry: Entry, body: Uint8Array, ttl: number, read: Read): Promise<boolean>;
}

/**
 * Sign and store a server entry for each of `servers`, then a client entry for each of
 * `clients` that delegates to `delegated`, all with no expiry (as a long-run discovery holds
 * them).
 */
export async function putEntries<Read>(
  store: EntryStore<Read>,
  entries: { servers: KeyPair[]; clients: KeyPair[]; delegated: PubKey[] },
): Promise<void> {
  const timestamp = nowNanos();
  const put = async (entry: Entry) =>
    await store.put(entry, marshalEntry(entry), 0, await store.get(entry.static.hex()));
  for (const [i, keys] of entries.servers.entries()) {
    await put(signEntry(
      newServerEntry({
        pk: keys.pk,
        sequence: 0n,
        timestamp,
        address: `198.51.100.${i % 250}:${8000 + i}`,
        availableSessions: 100 + i,
      }),
      keys.sk,
    ));
  }
  for (const keys of entries.clients) {
    await put(signEntry(
      newClientEntry({
        pk: keys.pk,
        sequence: 0n,
        timestamp,
        delegatedServers: entries.delegated,
        clientType: "visor",
      }),
      keys.sk,
    ));
  }
}

/**
 * Write `clients` client entries, each delegating to the most servers an entry may name, and
 * those servers' entries, straight into the discovery's KV file at `storePath` (as a long-run
 * discovery would hold them; no expiry), before the discovery starts.
 */
export async function fillDiscovery(
  storePath: string,
  options: { clients: number; servers?: number },
): Promise<FilledDiscovery> {
  const logger = createLogger({ level: "error" });
  const kv = await openStore({ path: storePath, logger });
  const store = new DiscoveryStore(() => kv.kv, Date.now, logger);
  const servers = Array.from({ length: options.servers ?? MAX_DELEGATED_SERVERS }, generateKeyPair);
  const clients = Array.from({ length: options.clients }, generateKeyPair);
  try {
    await store.upgrade();
    const delegated = servers.slice(0, MAX_DELEGATED_SERVERS).map((k) => k.pk);
    await putEntries(store, { servers, clients, delegated });
  } finally {
    kv.close();
  }
  return { clients, servers };
}

/** Every list path of the dmsg discovery (one server's clients for `server`). */
export function listPaths(server: string): string[] {
  return [
    "/dmsg-discovery/entries",
    "/dmsg-discovery/visorEntries",
    "/dmsg-discovery/available_servers",
    "/dmsg-discovery/all_servers",
    "/dmsg-discovery/servers/clients",
    `/dmsg-discovery/server/${server}/clients`,
  ];
}

/**
 * `n` concurrent GETs spread over `paths`; resolves with each status and body size. The
 * connections are closed afterwards (a client of its own), so none is left idle on the server.
 */
export async function listFlood(
  base: string,
  paths: string[],
  n: number,
): Promise<Array<{ path: string; status: number; bytes: number }>> {
  using client = Deno.createHttpClient({});
  return await Promise.all(Array.from({ length: n }, async (_, i) => {
    const path = paths[i % paths.length];
    const res = await fetch(base + path, { client });
    return { path, status: res.status, bytes: (await res.arrayBuffer()).byteLength };
  }));
}

/** Sockets opened from `localAddress` (a loopback alias) that connect and then hold on. */
export interface HeldSockets {
  /** The sockets (for counting the ones the server closed). */
  sockets: Socket[];
  /** How many the server has closed so far. */
  closed(): number;
  /** Close the ones still open, and stop any dripping. */
  close(): void;
}

/**
 * Open `n` sockets to `port` from `localAddress` and make each a slowloris: `"silent"` sends
 * nothing, `"head"` drips a request head that never ends, `"body"` sends a chunked request
 * whose chunks never stop. Resolves once all are connected (or refused).
 */
export async function holdSockets(
  port: number,
  n: number,
  kind: "silent" | "head" | "body",
  localAddress = "127.0.0.2",
): Promise<HeldSockets> {
  const sockets: Socket[] = [];
  let closed = 0;
  await Promise.all(Array.from({ length: n }, () =>
    new Promise<void>((resolve) => {
      const socket = connect({ host: "127.0.0.1", port, localAddress });
      sockets.push(socket);
      socket.on("error", () => {});
      socket.on("close", () => {
        closed++;
        resolve();
      });
      socket.on("connect", () => {
        if (kind === "body") {
          socket.write(
            "POST /dmsg-discovery/entry/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
          );
        }
        resolve();
      });
    })));
  let step = 0;
  const drip = setInterval(() => {
    step++;
    for (const socket of sockets) {
      if (socket.destroyed) continue;
      if (kind === "head") socket.write("GET / HTTP/1.1\r\nX-Slow: "[step % 24] ?? "a");
      if (kind === "body") socket.write("1\r\na\r\n");
    }
  }, 200);
  return {
    sockets,
    closed: () => closed,
    close() {
      clearInterval(drip);
      for (const socket of sockets) socket.destroy();
    },
  };
}
