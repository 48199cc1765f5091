import { join } from "node:path";
import type { PubKey, SecKey } from "../../mod/cipher/mod.ts";
import { parseDuration, type SkywireConfig } from "../../mod/config/mod.ts";
import { decodeEntry, DmsgClient, type Entry } from "../../mod/dmsg/mod.ts";
import { type HttpServer, serveClientHealth } from "../../mod/dmsg_http/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";
import {
  openStore,
  startStoreMonitor,
  type Store,
  type StoreMonitor,
} from "../../mod/store/mod.ts";

/** File name of the visor's own store under `local_path`. */
export const VISOR_STORE_FILE = "visor.kv";

/** Options for {@linkcode startVisor}. */
export interface StartVisorOptions {
  /** The parsed config. */
  config: SkywireConfig;
  /** The visor's public key (from the config). */
  pk: PubKey;
  /** The visor's secret key (from the config). */
  sk: SecKey;
  /** Where the visor logs. */
  logger: Logger;
  /** When the node started (for `/health`); default now. */
  startedAt?: Date;
  /** Client options for tests (entry debounce, reconnect pace). */
  dmsgTuning?: { updateDebounceMs?: number; reconnectBaseMs?: number };
}

/** A running visor. */
export interface Visor {
  /** The visor's public key. */
  readonly pk: PubKey;
  /** Its dmsg client. */
  readonly client: DmsgClient;
  /** Its store (`local_path/visor.kv`). */
  readonly store: Store;
  /** Resolves once the visor is reachable over dmsg (a session and a published entry). */
  ready(signal?: AbortSignal): Promise<void>;
  /** Stop everything: `/health`, the dmsg client, the store monitor, the store. Idempotent. */
  close(): Promise<void>;
}

/** `dmsg.servers` entries from the config, as discovery entries; bad ones are skipped. */
export function configuredServers(config: SkywireConfig, logger: Logger): Entry[] {
  const entries: Entry[] = [];
  for (const [index, server] of (config.dmsg.servers ?? []).entries()) {
    try {
      const entry = decodeEntry(new TextEncoder().encode(JSON.stringify(server)));
      if (!entry.server?.address) throw new Error("no server address");
      entries.push(entry);
    } catch (error) {
      logger.warn("ignoring a dmsg server in the config", { index, error });
    }
  }
  return entries;
}

/** Record this start in the visor's store (count and time), for operators and the UI. */
async function recordStart(store: Store, at: Date): Promise<number> {
  const key = ["visor", "starts"];
  const previous = await store.kv.get<number>(key);
  const starts = (previous.value ?? 0) + 1;
  await store.kv.atomic().check(previous).set(key, starts).set(
    ["visor", "last_start"],
    at.toISOString(),
  )
    .commit();
  return starts;
}

/**
 * Start a visor from its config: open its store under `local_path` (health-probed, and probed
 * again every `store.health_check_interval`), start the dmsg client on `dmsg.discovery` with
 * `dmsg.sessions_count` sessions (`dmsg.servers` first), and serve `/health` on dmsg port 80.
 * The updater's boot gate and signals are the caller's ({@linkcode runVisor}).
 */
export async function startVisor(options: StartVisorOptions): Promise<Visor> {
  const { config, logger } = options;
  const startedAt = options.startedAt ?? new Date();
  const store = await openStore({
    path: join(config.local_path, VISOR_STORE_FILE),
    logger: logger.child("store"),
  });
  let monitor: StoreMonitor | undefined;
  let client: DmsgClient | undefined;
  let health: HttpServer | undefined;
  try {
    const starts = await recordStart(store, startedAt);
    const intervalMs = parseDuration(config.store.health_check_interval) ?? 0;
    if (intervalMs > 0) {
      monitor = startStoreMonitor({ store, intervalMs, logger: logger.child("store") });
    }
    client = new DmsgClient({
      pk: options.pk,
      sk: options.sk,
      discovery: config.dmsg.discovery,
      sessionsCount: config.dmsg.sessions_count,
      servers: configuredServers(config, logger),
      clientType: "visor",
      logger: logger.child("dmsg"),
      ...options.dmsgTuning,
    });
    health = serveClientHealth(client, { logger: logger.child("health"), startedAt });
    await client.start();
    logger.info("visor started", {
      pk: options.pk.hex(),
      discovery: config.dmsg.discovery,
      local_path: config.local_path,
      starts,
    });
  } catch (error) {
    await health?.shutdown();
    await client?.close();
    monitor?.stop();
    store.close();
    throw error;
  }
  const dmsg = client;
  const httpServer = health;
  let closing: Promise<void> | undefined;
  return {
    pk: options.pk,
    client: dmsg,
    store,
    ready: (signal) => dmsg.ready(signal),
    close() {
      closing ??= (async () => {
        await httpServer.shutdown();
        await dmsg.close();
        monitor?.stop();
        store.close();
        logger.info("visor stopped");
      })();
      return closing;
    },
  };
}
