import { join } from "node:path";
import type { PubKey, SecKey } from "../../mod/cipher/mod.ts";
import { parseDuration, type SkywireConfig } from "../../mod/config/mod.ts";
import { decodeEntry, DmsgClient, type Entry } from "../../mod/dmsg/mod.ts";
import { type HttpServer, serveClientHealth } from "../../mod/dmsg_http/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";
import {
  openServiceStore,
  type ProbeResult,
  probeStore,
  startStoreMonitor,
  type Store,
  type StoreMonitor,
} from "../../mod/store/mod.ts";
import type { StoreCheck } from "./api.ts";
import type { VisorControlApi } from "./api_types.ts";
import { controlListenAddress } from "./control_addr.ts";
import { FleetHub, type FleetHubOptions } from "./fleet.ts";
import { type HvLinkBackoff, type HypervisorLinks, startHypervisorLinks } from "./hv_link.ts";
import { createHvRpcServer } from "./hv_rpc_server.ts";
import { createVisorControlApi } from "./control_api.ts";
import { type ControlServer, serveControl } from "./control_http.ts";
import { startVisorRouting, type VisorRouting, type VisorRoutingTuning } from "./routing.ts";
import { routeAppNet } from "../../mod/appnet/mod.ts";
import { AppManager, BUILTIN_APPS } from "../apps/mod.ts";
import {
  startVisorTransports,
  type VisorTransports,
  type VisorTransportTuning,
} from "./transports.ts";

/** File name of the visor's own store under `local_path`. */
export const VISOR_STORE_FILE = "visor.kv";

// setTimeout/setInterval take at most 2^31 - 1 ms.
const MAX_TIMER_MS = 2 ** 31 - 1;

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
  /**
   * An open store to use instead of `local_path/visor.kv` (`skywire up`'s exit visor shares
   * its services' file); the visor does not close it.
   */
  store?: Store;
  /** Client options for tests (entry debounce, reconnect pace). */
  dmsgTuning?: { updateDebounceMs?: number; reconnectBaseMs?: number };
  /** Transport knobs for tests and `skywire up` (stcpr interface, timers). */
  transportTuning?: VisorTransportTuning;
  /** When `cli_addr`'s port is taken, listen on a free one (`skywire up`); else it is an error. */
  cliAddrFallback?: boolean;
  /** Routing knobs for tests (sweep and route-group ping periods). */
  routingTuning?: VisorRoutingTuning;
  /** Hypervisor-link knobs for tests: redial pace, and the fleet's limits and timers. */
  fleetTuning?: {
    linkBackoff?: HvLinkBackoff;
    hub?: Omit<FleetHubOptions, "dmsg" | "logger" | "port">;
  };
}

/** A running visor. */
export interface Visor {
  /** The visor's public key. */
  readonly pk: PubKey;
  /** Its dmsg client. */
  readonly client: DmsgClient;
  /** Its store (`local_path/visor.kv`, unless one was given). */
  readonly store: Store;
  /** When it started. */
  readonly startedAt: Date;
  /** Starts recorded in its store, this one included. */
  readonly starts: number;
  /** The store's most recent health probe (the one at open counts). */
  storeCheck(): StoreCheck;
  /** Probe the store now, recovering it in place when damaged. */
  checkStore(): Promise<StoreCheck>;
  /** Its transports (manager, discovery and resolver clients). */
  readonly transports: VisorTransports;
  /** Its routing (router, route dialer, ping, the setup nodes' RPC). */
  readonly routing: VisorRouting;
  /** Its apps (`launcher.apps`, run in-process over route groups). */
  readonly apps: AppManager;
  /** Its control API (what the endpoint on `cli_addr` serves). */
  readonly api: VisorControlApi;
  /** The control endpoint, unless `cli_addr` is empty. */
  readonly control?: ControlServer;
  /** Its links to the hypervisors of its config's `hypervisors` (dmsg port 46). */
  readonly hypervisorLinks: HypervisorLinks;
  /** The visors connected to it, when its config has a `hypervisor` section. */
  readonly fleet?: FleetHub;
  /** Resolves once the visor is reachable over dmsg (a session and a published entry). */
  ready(signal?: AbortSignal): Promise<void>;
  /**
   * Stop everything: the control endpoint, the apps, the routing (route groups closed), the
   * transports (deregistered), `/health`, the dmsg client, the store monitor, the store. With `deleteEntry`, the dmsg client also removes its
   * discovery entry (as Go's client does). Idempotent.
   */
  close(options?: { deleteEntry?: boolean }): Promise<void>;
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
 * `dmsg.sessions_count` sessions (`dmsg.servers` first), serve `/health` on dmsg port 80,
 * run the transports of the `transport` section ({@linkcode startVisorTransports}), the
 * router, the `auto_start` apps of `launcher.apps` (in-process, over route groups) and the
 * control endpoint on `cli_addr` (loopback only: any other address is a `ConfigError` before
 * anything starts). The updater's boot gate and signals are the caller's
 * ({@linkcode runVisor}).
 */
export async function startVisor(options: StartVisorOptions): Promise<Visor> {
  const { config, logger } = options;
  const startedAt = options.startedAt ?? new Date();
  const controlAddress = controlListenAddress(config.cli_addr);
  const store = await openServiceStore({
    store: options.store,
    storePath: join(config.local_path, VISOR_STORE_FILE),
  }, logger.child("store"));
  // The open probed the file: it is healthy now (a damaged one was moved aside on the way in,
  // which the store's recovery records show).
  let lastCheck: StoreCheck = { time: startedAt.toISOString(), status: "ok" };
  // Every probe of the monitor passes through here, so the UI can show the latest outcome.
  const recordingProbe = async (path: string): Promise<ProbeResult> => {
    const time = new Date().toISOString();
    try {
      const result = await probeStore(path);
      lastCheck = "reason" in result
        ? { time, status: result.status, reason: result.reason }
        : { time, status: result.status };
      return result;
    } catch (error) {
      lastCheck = { time, status: "corrupt", reason: `probe failed: ${String(error)}` };
      throw error;
    }
  };
  let monitor: StoreMonitor | undefined;
  let client: DmsgClient | undefined;
  let health: HttpServer | undefined;
  let starts: number;
  let transports: VisorTransports | undefined;
  let routing: VisorRouting | undefined;
  let apps: AppManager | undefined;
  let control: ControlServer | undefined;
  let api: VisorControlApi | undefined;
  let links: HypervisorLinks | undefined;
  let fleet: FleetHub | undefined;
  try {
    starts = await recordStart(store, startedAt);
    const intervalMs = parseDuration(config.store.health_check_interval) ?? 0;
    monitor = startStoreMonitor({
      store,
      // No interval configured: a timer that never comes due (the longest one there is), so
      // that "check now" still goes through the monitor's recovery.
      intervalMs: intervalMs > 0 ? intervalMs : MAX_TIMER_MS,
      logger: logger.child("store"),
      probe: recordingProbe,
    });
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
    transports = await startVisorTransports({
      config,
      keyPair: { pk: options.pk, sk: options.sk },
      dmsg: client,
      logger,
      tuning: options.transportTuning,
    });
    routing = startVisorRouting({
      config,
      keyPair: { pk: options.pk, sk: options.sk },
      dmsg: client,
      transports,
      logger,
      tuning: options.routingTuning,
    });
    // Apps speak over route groups, as Go's apps do (skynet): a skysocks-client here reaches a
    // skysocks on any visor, ours or Go's, through the route finder and a setup node.
    apps = new AppManager({
      net: routeAppNet(routing),
      apps: config.launcher.apps ?? [],
      definitions: BUILTIN_APPS,
      minHops: config.routing.min_hops,
      logger,
    });
    api = createVisorControlApi({
      config,
      pk: options.pk,
      startedAt,
      dmsg: client,
      transports,
      routing,
      apps,
    });
    if (controlAddress) {
      control = await serveControl({
        api,
        listen: controlAddress,
        portFallback: options.cliAddrFallback,
        logger: logger.child("control"),
      });
    }
    await apps.startAutoStart();
    if (config.hypervisor) {
      fleet = new FleetHub({
        ...options.fleetTuning?.hub,
        dmsg: client,
        port: config.hypervisor.dmsg_port,
        logger: logger.child("fleet"),
      });
      fleet.start();
    }
    const router = routing.router;
    const controlApi = api;
    links = startHypervisorLinks({
      dmsg: client,
      self: options.pk,
      hypervisors: config.hypervisors ?? [],
      server: createHvRpcServer({
        api: controlApi,
        pk: options.pk,
        startedAt,
        config,
        dmsg: client,
        router,
        connectedHypervisors: () => links?.connected() ?? [],
      }, logger.child("hv_rpc")),
      logger: logger.child("hv_link"),
      backoff: options.fleetTuning?.linkBackoff,
    });
    logger.info("visor started", {
      pk: options.pk.hex(),
      discovery: config.dmsg.discovery,
      local_path: config.local_path,
      cli_addr: control?.address ?? "none",
      starts,
    });
  } catch (error) {
    await links?.close();
    await fleet?.close();
    await control?.close();
    await apps?.close();
    await routing?.close();
    await transports?.close();
    await health?.shutdown();
    await client?.close();
    monitor?.stop();
    store.close();
    throw error;
  }
  const dmsg = client;
  const httpServer = health;
  const storeMonitor = monitor;
  const tps = transports;
  const routes = routing;
  const appManager = apps;
  const endpoint = control;
  const hvLinks = links;
  const hub = fleet;
  let closing: Promise<void> | undefined;
  return {
    pk: options.pk,
    client: dmsg,
    store,
    startedAt,
    starts,
    storeCheck: () => lastCheck,
    checkStore: async () => {
      await storeMonitor.checkNow();
      return lastCheck;
    },
    transports: tps,
    routing: routes,
    apps: appManager,
    api,
    control: endpoint,
    hypervisorLinks: hvLinks,
    fleet: hub,
    ready: (signal) => dmsg.ready(signal),
    close(options = {}) {
      closing ??= (async () => {
        await hvLinks.close();
        await hub?.close();
        await endpoint?.close();
        await appManager.close();
        await routes.close();
        await tps.close();
        await httpServer.shutdown();
        await dmsg.close({ deleteEntry: options.deleteEntry });
        storeMonitor.stop();
        store.close();
        logger.info("visor stopped");
      })();
      return closing;
    },
  };
}
