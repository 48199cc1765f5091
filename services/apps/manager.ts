import type { AppNet } from "../../mod/appnet/mod.ts";
import type { AppConfig } from "../../mod/config/mod.ts";
import { closeWithin } from "../../mod/lifecycle/mod.ts";
import { createLogger, type LogEntry, type Logger, LogRing } from "../../mod/log/mod.ts";
import type { AppContext, AppDefinition } from "./app.ts";
import { AppManagerError, AppNotFoundError, AppStartError, messageOf } from "./errors.ts";
import { AppRegistry } from "./registry.ts";
import { TrackedNet } from "./_tracked_net.ts";
import { teeLogger } from "./_tee_logger.ts";

/** Where an app is. */
export type AppStatus = "starting" | "running" | "stopping" | "stopped" | "errored";

/** One app as the manager lists it. */
export interface AppState {
  /** Name (from `launcher.apps`). */
  name: string;
  /** Its port. */
  port: number;
  /** Started with the visor. */
  autoStart: boolean;
  /** Where it is. */
  status: AppStatus;
  /** Detail: why it errored, or what it reported. */
  detail?: string;
  /** When the current (or last) run started (ISO 8601). */
  startedAt?: string;
  /** For proxies: the local address to point a client at. */
  proxyAddress?: string;
  /** The app's own status (e.g. the proxy's session), while it runs. */
  info?: unknown;
}

/** Options for {@linkcode AppManager}. */
export interface AppManagerOptions {
  /** The visor's app network. */
  net: AppNet;
  /** `launcher.apps` of the config. */
  apps: readonly AppConfig[];
  /** The apps this build can run, by name. */
  definitions: ReadonlyMap<string, AppDefinition>;
  /** `routing.min_hops`, the apps' default. */
  minHops?: number;
  /** Where the manager and the apps log (each app also into its own ring). */
  logger: Logger;
  /** How long an app may take to report running, ms (default 30 000); then it is stopped. */
  startTimeoutMs?: number;
  /** How long an app may take to stop, ms (default 5 000); then it is abandoned. */
  stopTimeoutMs?: number;
  /** Lines kept per app for `app log` (default 500). */
  logLines?: number;
}

/** Counters for leak tests; all 0 when no app runs (`logs`: one ring per app ever started). */
export interface AppManagerStats {
  /** Runs registered. */
  running: number;
  /** Connections open through the apps' networks. */
  conns: number;
  /** Listeners open through the apps' networks. */
  listeners: number;
  /** Callers waiting for an app to report running. */
  waiters: number;
  /** Per-app log rings. */
  logs: number;
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * The app's own arguments: Go 2024 configs run apps from the merged binary as
 * `skywire app NAME ARGS...`, so a leading `app NAME` is not the app's.
 */
export function appArgs(name: string, args: readonly string[]): readonly string[] {
  return args[0] === "app" && args[1] === name ? args.slice(2) : args;
}

// One run of one app, from start to its end.
class AppRun {
  readonly abort = new AbortController();
  readonly startedAt = new Date();
  readonly waiters = new Set<Waiter>();
  status: AppStatus = "starting";
  detail: string | undefined;
  proxyAddress: string | undefined;
  statusSource: (() => unknown) | undefined;
  done: Promise<void> = Promise.resolve();
  constructor(readonly config: AppConfig, readonly net: TrackedNet) {}
}

/**
 * Runs the visor's apps in-process from `launcher.apps` (as Go 2026 does): start, stop, status,
 * log. The bugs of Go's June 11 fixes cannot happen here by construction:
 *
 * - one {@linkcode AppRegistry} entry per live run, deregistered (identity-checked) only where
 *   the run ends, so a stale or duplicate deregister is "not found" and never removes a newer
 *   run;
 * - every connection and listener an app makes goes through its run's network, whose map entry
 *   goes when the app closes it, and whatever is left is closed when the run ends;
 * - whoever waits for an app to report running is woken when it dies first (with why), and a
 *   dead or stopped run can neither report running nor dial, listen or register again.
 */
export class AppManager {
  readonly #o: AppManagerOptions;
  readonly #log: Logger;
  readonly #registry = new AppRegistry<AppRun>();
  readonly #runs = new Set<AppRun>();
  readonly #last = new Map<string, { status: "stopped" | "errored"; detail?: string; at: Date }>();
  readonly #rings = new Map<string, LogRing>();
  readonly #args = new Map<string, readonly string[]>();
  #closed = false;

  /** Create the manager; nothing runs until {@linkcode startAutoStart} or {@linkcode start}. */
  constructor(options: AppManagerOptions) {
    this.#o = options;
    this.#log = options.logger.child("apps");
  }

  /** Start every `auto_start` app this build has; failures are logged, not thrown. */
  async startAutoStart(): Promise<void> {
    const starts: Promise<unknown>[] = [];
    for (const app of this.#o.apps) {
      if (!this.#o.definitions.has(app.name)) {
        this.#log.info("app not in this build; not run", { app: app.name });
        continue;
      }
      if (!app.auto_start) continue;
      starts.push(
        this.start(app.name).catch((error) =>
          this.#log.error("app failed to start", { app: app.name, error: messageOf(error) })
        ),
      );
    }
    await Promise.all(starts);
  }

  /** Every configured app and where it is. */
  list(): AppState[] {
    return this.#o.apps.map((app) => this.#state(app));
  }

  /** One app; throws {@linkcode AppNotFoundError} when it is not configured. */
  status(name: string): AppState {
    return this.#state(this.#config(name));
  }

  /**
   * Start `name` (with `args` instead of the configured ones, kept for later starts) and resolve
   * once it reports running. Rejects with {@linkcode AppStartError} when it dies or gives no
   * sign of life within the start limit, 409 when it runs already, 404 when unknown.
   */
  async start(name: string, options: { args?: readonly string[] } = {}): Promise<AppState> {
    if (this.#closed) throw new AppManagerError(409, "the app manager is closed");
    const config = this.#config(name);
    const definition = this.#o.definitions.get(name);
    if (!definition) throw new AppNotFoundError(`app ${name} is not in this build`);
    if (options.args) this.#args.set(name, [...options.args]);
    const run = new AppRun(config, new TrackedNet(this.#o.net, name));
    // The slot is taken before any work is spawned: two starts cannot both run the app.
    if (!this.#registry.register(name, run)) {
      throw new AppManagerError(409, `app ${name} is already running`);
    }
    this.#runs.add(run);
    const ready = this.#waitReady(run);
    run.done = this.#execute(definition, run);
    const limit = this.#o.startTimeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      if (run.status !== "starting") return;
      this.#settleWaiters(run, new Error(`no sign of life within ${limit} ms`));
      this.#log.error("app gave no sign of life; stopping it", { app: name, limit_ms: limit });
      run.abort.abort();
    }, limit);
    try {
      await ready;
    } finally {
      clearTimeout(timer);
    }
    return this.#state(config);
  }

  /**
   * Stop `name` and resolve once its run ended (or was abandoned after the stop limit, its
   * connections and listeners closed all the same). {@linkcode AppNotFoundError} when it does
   * not run.
   */
  async stop(name: string): Promise<AppState> {
    const config = this.#config(name);
    const run = this.#registry.get(name);
    if (!run) throw new AppNotFoundError(`app ${name} is not running`);
    await this.#stopRun(run);
    return this.#state(config);
  }

  /** The newest `limit` lines `name` logged (across its runs). */
  log(name: string, options: { limit?: number } = {}): LogEntry[] {
    this.#config(name);
    return this.#rings.get(name)?.tail({ limit: options.limit ?? 100 }) ?? [];
  }

  /** Counters for leak tests. */
  stats(): AppManagerStats {
    let conns = 0, listeners = 0, waiters = 0;
    for (const run of this.#runs) {
      const s = run.net.stats();
      conns += s.conns;
      listeners += s.listeners;
      waiters += run.waiters.size;
    }
    return { running: this.#registry.size, conns, listeners, waiters, logs: this.#rings.size };
  }

  /** Stop every app (each within the stop limit). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#runs].map((run) => this.#stopRun(run)));
  }

  #config(name: string): AppConfig {
    const config = this.#o.apps.find((app) => app.name === name);
    if (!config) throw new AppNotFoundError(`app ${name} is not in launcher.apps`);
    return config;
  }

  #state(config: AppConfig): AppState {
    const base = { name: config.name, port: config.port, autoStart: config.auto_start ?? false };
    const run = this.#registry.get(config.name);
    if (run) {
      let info: unknown;
      try {
        info = run.statusSource?.();
      } catch (error) {
        info = { error: messageOf(error) };
      }
      return {
        ...base,
        status: run.status,
        detail: run.detail,
        startedAt: run.startedAt.toISOString(),
        proxyAddress: run.proxyAddress,
        info,
      };
    }
    const last = this.#last.get(config.name);
    return last
      ? { ...base, status: last.status, detail: last.detail }
      : { ...base, status: "stopped" };
  }

  #ring(name: string): LogRing {
    let ring = this.#rings.get(name);
    if (!ring) {
      ring = new LogRing({ capacity: this.#o.logLines ?? 500 });
      this.#rings.set(name, ring);
    }
    return ring;
  }

  #waitReady(run: AppRun): Promise<void> {
    return new Promise((resolve, reject) => run.waiters.add({ resolve, reject }));
  }

  #settleWaiters(run: AppRun, error?: Error): void {
    for (const waiter of run.waiters) {
      if (error) waiter.reject(new AppStartError(run.config.name, error));
      else waiter.resolve();
    }
    run.waiters.clear();
  }

  async #execute(definition: AppDefinition, run: AppRun): Promise<void> {
    const name = run.config.name;
    const ring = this.#ring(name);
    const ringLogger = createLogger({ level: "debug", component: name, sink: ring.sink });
    const logger = teeLogger(ringLogger, this.#log.child(name));
    const ctx: AppContext = {
      name,
      args: appArgs(name, this.#args.get(name) ?? run.config.args ?? []),
      port: run.config.port,
      minHops: this.#o.minHops ?? 0,
      net: run.net,
      logger,
      signal: run.abort.signal,
      ready: (info) => {
        // Only a live, starting run may report running: never a dead or stopping one.
        if (run.status !== "starting" || this.#registry.get(name) !== run) return;
        run.status = "running";
        run.proxyAddress = info?.proxyAddress;
        this.#settleWaiters(run);
      },
      setDetail: (detail) => {
        if (this.#registry.get(name) === run) run.detail = detail;
      },
      setStatusSource: (source) => {
        if (this.#registry.get(name) === run) run.statusSource = source;
      },
    };
    let failure: unknown;
    logger.info("app starting", { args: ctx.args.length });
    try {
      await definition.run(ctx);
      if (!run.abort.signal.aborted) failure = new Error("the app ended by itself");
    } catch (error) {
      failure = error;
    } finally {
      this.#end(run, failure, logger);
    }
  }

  // Where a run ends, exactly once: its network closed, its registry entry removed (if it still
  // holds this run), its waiters told, its outcome recorded.
  #end(run: AppRun, failure: unknown, logger: Logger): void {
    const name = run.config.name;
    run.net.closeAll();
    const wasLive = this.#registry.deregister(name, run) === "ok";
    this.#runs.delete(run);
    const error = failure === undefined
      ? undefined
      : failure instanceof Error
      ? failure
      : new Error(String(failure));
    this.#settleWaiters(run, error ?? new Error("stopped before it reported running"));
    run.status = error ? "errored" : "stopped";
    if (wasLive) {
      this.#last.set(name, { status: run.status, detail: error?.message, at: new Date() });
    }
    if (error) logger.error("app ended with an error", { error: error.message });
    else logger.info("app stopped");
  }

  async #stopRun(run: AppRun): Promise<void> {
    const name = run.config.name;
    if (run.status === "starting" || run.status === "running") run.status = "stopping";
    run.abort.abort();
    const limit = this.#o.stopTimeoutMs ?? 5_000;
    if (await closeWithin(run.done, { budgetMs: limit })) return;
    // It did not stop in time: free what it holds and its name; its late end finds "not found".
    run.net.closeAll();
    this.#runs.delete(run);
    this.#settleWaiters(run, new Error("abandoned while stopping"));
    if (this.#registry.deregister(name, run) === "ok") {
      this.#last.set(name, { status: "errored", detail: "did not stop in time", at: new Date() });
      this.#log.error("app did not stop in time; abandoned", { app: name, limit_ms: limit });
    }
  }
}
