import type { SkywireConfig } from "../../mod/config/mod.ts";
import { isCompiledBinary } from "../../mod/launch/mod.ts";
import { createLogger, type LogRing } from "../../mod/log/mod.ts";
import { listRecoveries } from "../../mod/store/mod.ts";
import { VERSION } from "../../mod/version/mod.ts";
import type { BackgroundUpdater, UpdateResult, UpdaterStatusRecord } from "../updater/mod.ts";
import type {
  AppSummary,
  DmsgStatus,
  NodeInfo,
  StoreStatus,
  UpdateOutcome,
  UpdatesApi,
  VisorApi,
} from "./api.ts";
import { configuredServers, type Visor } from "./visor.ts";

/** Options for {@linkcode createVisorApi}. */
export interface CreateVisorApiOptions {
  /** The running visor. */
  visor: Visor;
  /** The config it runs with. */
  config: SkywireConfig;
  /** Its background updater, when one runs (checks and installs go through it). */
  updater?: BackgroundUpdater;
  /** Its newest log lines. */
  logs?: LogRing;
}

// How long a read of the updater's status is reused: reading opens the updater's store.
const STATUS_CACHE_MS = 10_000;

function outcome(result: UpdateResult | Error | undefined, what: string): UpdateOutcome {
  if (result === undefined) return { status: "failed", message: `${what} is not available` };
  if (result instanceof Error) return { status: "failed", message: result.message };
  return { status: result.status, message: result.message };
}

function checkUnavailable(config: SkywireConfig, updater?: BackgroundUpdater): string | undefined {
  if (!config.updater.enabled) return "the updater is off (updater.enabled is false)";
  if (!config.updater.url) return "no update source is configured (updater.url)";
  if (!updater?.active) return "the background updater is not running";
  return undefined;
}

function updatesApi(options: CreateVisorApiOptions): UpdatesApi {
  const { config, updater } = options;
  const stateDir = config.local_path;
  const unavailable = checkUnavailable(config, updater);
  let cached: { at: number; value: Promise<UpdaterStatusRecord | undefined> } | undefined;
  const quiet = createLogger({ level: "error", component: "ui/updater" });
  const fresh = () => {
    cached = undefined;
  };
  return {
    settings: {
      enabled: config.updater.enabled,
      channel: config.updater.channel,
      url: config.updater.url,
      interval: config.updater.interval,
      auto_install: config.updater.auto_install,
    },
    checkUnavailable: unavailable,
    installUnavailable: unavailable ??
      (isCompiledBinary()
        ? undefined
        : "installing needs the compiled skywire binary (this node runs under deno run)"),
    status() {
      const now = Date.now();
      if (!cached || now - cached.at > STATUS_CACHE_MS) {
        // The updater's code (and its release keys) loads on the first read, not with the visor.
        const value = import("../updater/mod.ts").then((updater) =>
          updater.readUpdaterStatus({ stateDir, logger: quiet })
        );
        // A failed read is not cached: the next one tries again.
        value.catch(fresh);
        cached = { at: now, value };
      }
      return cached.value;
    },
    async check() {
      if (unavailable || !updater) return { status: "failed", message: unavailable ?? "" };
      const result = await updater.checkNow();
      fresh();
      return outcome(result, "checking");
    },
    async install() {
      if (unavailable || !updater) return { status: "failed", message: unavailable ?? "" };
      const result = await updater.installNow();
      fresh();
      return outcome(result, "installing");
    },
  };
}

/**
 * The {@linkcode VisorApi} of a running visor: its identity, dmsg sessions, store health,
 * updater, log lines, and its control API's transports, routes and apps.
 */
export function createVisorApi(options: CreateVisorApiOptions): VisorApi {
  const { visor, config } = options;
  const quiet = createLogger({ level: "fatal" });
  const servers = configuredServers(config, quiet).map((entry) => entry.static.hex());
  const stores = async (): Promise<StoreStatus[]> => [{
    name: "visor",
    path: visor.store.path,
    last_check: visor.storeCheck(),
    recoveries: await listRecoveries(visor.store.kv),
  }];
  return {
    info: (): NodeInfo => ({
      pk: visor.pk.hex(),
      version: VERSION,
      deno: Deno.version.deno,
      target: Deno.build.target,
      started_at: visor.startedAt.toISOString(),
      starts: visor.starts,
      local_path: config.local_path,
      min_hops: config.routing.min_hops,
      is_public: config.is_public ?? false,
      hypervisors: config.hypervisors ?? [],
    }),
    dmsg: (): DmsgStatus => ({
      discovery: config.dmsg.discovery,
      sessions_wanted: config.dmsg.sessions_count,
      configured_servers: servers,
      sessions: visor.client.sessions().map((session) => ({
        server_pk: session.serverPk.hex(),
        address: session.address,
        latency_ms: session.latencyMs ?? null,
      })),
    }),
    stores,
    checkStores: async () => {
      await visor.checkStore();
      return await stores();
    },
    updates: updatesApi(options),
    logs: options.logs,
    transports: visor.api.transports,
    routes: visor.api.routes,
    apps: {
      list: async () =>
        (await visor.api.apps.list()).map((app): AppSummary => ({
          name: app.name,
          auto_start: app.auto_start,
          port: app.port,
          // Go's three states; the passing ones are named in the detail.
          status: app.status === "running" || app.status === "errored" ? app.status : "stopped",
          detailed_status: app.status === "starting" || app.status === "stopping"
            ? app.status
            : app.detailed_status,
          proxy_address: app.proxy_address,
        })),
      start: async (name) => {
        await visor.api.apps.start(name);
      },
      stop: async (name) => {
        await visor.api.apps.stop(name);
      },
      log: (name, limit) => visor.api.apps.log(name, limit),
    },
  };
}
