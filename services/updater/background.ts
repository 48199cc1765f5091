import type { UpdaterConfig } from "../../mod/config/mod.ts";
import { parseDuration } from "../../mod/config/mod.ts";
import { createLogger, type Logger } from "../../mod/log/mod.ts";
import {
  parseReleasePublicKey,
  RELEASE_CHANNELS,
  type ReleaseChannel,
  type ReleaseKey,
  trustedReleaseKeys,
} from "../../mod/release/mod.ts";
import { VERSION } from "../../mod/version/mod.ts";
import { errorText, UpdateError } from "./errors.ts";
import { isCompiledBinary } from "../../mod/launch/mod.ts";
import { resolveUpdateTarget, type UpdateTarget } from "./target.ts";
import { runUpdate, type UpdateResult } from "./update.ts";

/** Jitter added to each interval: a tenth of it, at most this much (spreads a fleet's checks). */
const MAX_JITTER_MS = 60 * 60 * 1000;
/** The first check after start-up comes after a random delay up to this (not all at boot). */
const MAX_FIRST_DELAY_MS = 10 * 60 * 1000;
/** Shortest interval accepted (a typo such as "1s" must not hammer the release server). */
const MIN_INTERVAL_MS = 60 * 1000;

/** Delay before the next check: the interval plus up to a tenth of it (at most an hour). */
export function nextCheckDelay(intervalMs: number, random: () => number = Math.random): number {
  return intervalMs + Math.floor(random() * Math.min(intervalMs / 10, MAX_JITTER_MS));
}

/** Options for {@linkcode startBackgroundUpdater}. */
export interface BackgroundUpdaterOptions {
  /** The config's `updater` section. */
  config: UpdaterConfig;
  /** Directory of `updater.kv` (the config's `local_path`). */
  stateDir: string;
  /** Path of the config file, passed on to the restart helper. */
  configPath?: string;
  /** Logger. */
  logger?: Logger;
  /** Binary to update; default this process's executable when compiled. */
  target?: UpdateTarget;
  /** Delay before the first check (ms); default random up to 10 minutes. */
  firstDelayMs?: number;
  /** Random source for jitter. */
  random?: () => number;
  /** `PATH` for finding systemctl/systemd-run (tests). */
  pathEnv?: string;
  /** `/proc/self/cgroup` text (tests). */
  selfCgroup?: string;
  /** Asset to take (tests); default `Deno.build.target`. */
  buildTarget?: string;
  /** Called after every check with its result or error. */
  onResult?: (result: UpdateResult | Error) => void;
}

/** A running background updater. */
export interface BackgroundUpdater extends AsyncDisposable {
  /** Whether checks are scheduled (enabled and a source is configured). */
  readonly active: boolean;
  /** Run a check now (waits for one already running first). */
  checkNow(): Promise<UpdateResult | Error | undefined>;
  /**
   * Check now and install a newer release whatever `auto_install` says (an operator asked, e.g.
   * in the web UI); waits for a check already running first. Installing needs a compiled
   * binary: under `deno run` this only checks.
   */
  installNow(): Promise<UpdateResult | Error | undefined>;
  /** Stop: cancels the timer and any running check; resolves when it has ended. */
  stop(): Promise<void>;
}

function inert(): BackgroundUpdater {
  return {
    active: false,
    checkNow: () => Promise.resolve(undefined),
    installNow: () => Promise.resolve(undefined),
    stop: () => Promise.resolve(),
    [Symbol.asyncDispose]: () => Promise.resolve(),
  };
}

function keysFrom(config: UpdaterConfig, logger: Logger): ReleaseKey[] {
  const keys = trustedReleaseKeys();
  for (const hex of config.trusted_keys ?? []) {
    try {
      keys.push(parseReleasePublicKey(hex));
    } catch (error) {
      logger.error("ignoring a bad key in updater.trusted_keys", { error: errorText(error) });
    }
  }
  return keys;
}

/**
 * Start the node's periodic update check: after a random first delay, then every
 * `updater.interval` plus jitter. With `updater.auto_install` a newer signed release is
 * installed and the node's unit (and `RESTART_SERVICES`) restarted; otherwise the available
 * version is only logged and recorded for `skywire update --status`. Does nothing when
 * `updater.enabled` is false or `updater.url` is empty (logged once).
 */
export function startBackgroundUpdater(options: BackgroundUpdaterOptions): BackgroundUpdater {
  const logger = options.logger ?? createLogger({ component: "updater" });
  const { config } = options;
  if (!config.enabled) {
    logger.info("background update check is off (updater.enabled=false)");
    return inert();
  }
  if (!config.url) {
    logger.info("no update source configured (updater.url); background check is off");
    return inert();
  }
  if (!(RELEASE_CHANNELS as readonly string[]).includes(config.channel)) {
    logger.error("unknown updater.channel; background check is off", { channel: config.channel });
    return inert();
  }
  const intervalMs = Math.max(MIN_INTERVAL_MS, parseDuration(config.interval) ?? 86_400_000);
  const bootTimeoutMs = parseDuration(config.boot_timeout) ?? 120_000;
  const random = options.random ?? Math.random;
  const keys = keysFrom(config, logger);
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<UpdateResult | Error> | undefined;
  let stopped = false;

  const target = async (): Promise<UpdateTarget> => {
    if (options.target) return options.target;
    if (isCompiledBinary()) return await resolveUpdateTarget();
    // Under `deno run` there is no skywire binary to replace; checking still works.
    return { path: Deno.execPath(), version: VERSION, self: false };
  };

  const check = async (asked: boolean): Promise<UpdateResult | Error> => {
    try {
      const resolved = await target();
      const wanted = config.auto_install || asked;
      const install = wanted && (resolved.self || options.target !== undefined);
      if (wanted && !install) {
        logger.warn("auto_install needs a compiled skywire binary; only checking");
      }
      const result = await runUpdate({
        source: config.url,
        channel: config.channel as ReleaseChannel,
        trustedKeys: keys,
        target: resolved,
        stateDir: options.stateDir,
        install,
        skipRolledBack: true,
        bootTimeoutMs,
        buildTarget: options.buildTarget,
        logger,
        signal: controller.signal,
        restart: {
          service: config.service,
          envFile: config.env_file,
          logger,
          pathEnv: options.pathEnv,
          selfCgroup: options.selfCgroup,
          delegate: {
            exe: resolved.path,
            args: [
              "update",
              "--restart-only",
              "--service",
              config.service,
              "--env-file",
              config.env_file,
            ],
          },
        },
      });
      const level = result.status === "available" || result.status === "installed"
        ? "info"
        : "debug";
      logger[level](result.message, { status: result.status });
      return result;
    } catch (error) {
      const fields = error instanceof UpdateError
        ? { step: error.step, code: error.code }
        : { error: errorText(error) };
      logger.error(`update check failed: ${errorText(error)}`, fields);
      return error instanceof Error ? error : new Error(String(error));
    }
  };

  const runCheck = (install = false): Promise<UpdateResult | Error> => {
    running ??= check(install).then((result) => {
      running = undefined;
      options.onResult?.(result);
      return result;
    });
    return running;
  };

  const schedule = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(async () => {
      timer = undefined;
      await runCheck();
      schedule(nextCheckDelay(intervalMs, random));
    }, delay);
  };

  schedule(options.firstDelayMs ?? Math.floor(random() * MAX_FIRST_DELAY_MS));
  logger.info("background update check on", {
    channel: config.channel,
    source: config.url,
    interval: config.interval,
    auto_install: config.auto_install,
  });

  const stop = async () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    controller.abort(new Error("updater stopped"));
    await running;
  };

  return {
    active: true,
    checkNow: async () => {
      await running;
      return stopped ? undefined : await runCheck();
    },
    installNow: async () => {
      await running;
      return stopped ? undefined : await runCheck(true);
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
