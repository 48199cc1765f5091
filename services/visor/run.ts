import { trimNativeHeapWhileRunning } from "../../mod/ffi/mod.ts";
import { loadNodeConfig, parseDuration } from "../../mod/config/mod.ts";
import { aborted, closeWithin, SHUTDOWN_BUDGET_MS } from "../../mod/lifecycle/mod.ts";
import {
  createLogger,
  LogRing,
  type LogSink,
  parseLogLevel,
  stderrSink,
  teeSink,
} from "../../mod/log/mod.ts";
import type { ScryptParams, UiServer } from "../../ui/mod.ts";
import {
  type BackgroundUpdater,
  checkPendingRollback,
  markBootedOk,
  ROLLBACK_EXIT_CODE,
  startBackgroundUpdater,
  watchBootDeadline,
} from "../updater/mod.ts";
import { controlListenAddress } from "./control_addr.ts";
import { sectionsNotRun } from "./sections_not_run.ts";
import { startVisor, type Visor } from "./visor.ts";
import { startWebUi } from "./web_ui.ts";

/** Options for {@linkcode runVisor}. */
export interface RunVisorOptions {
  /** Path of `skywire-config.json`. */
  configPath: string;
  /** Aborting it stops the visor (the CLI aborts on SIGINT/SIGTERM). */
  signal: AbortSignal;
  /** Where log lines go (default stderr). */
  logSink?: LogSink;
  /** Called once the visor is started (tests use it to reach the client). */
  onStarted?: (visor: Visor) => void;
  /** Called once the visor is reachable and its "booted OK" mark is written. */
  onHealthy?: (visor: Visor) => void;
  /** Client options for tests (entry debounce, reconnect pace). */
  dmsgTuning?: { updateDebounceMs?: number; reconnectBaseMs?: number };
  /** Called once the web UI listens (tests use it to find its address). */
  onUi?: (ui: UiServer) => void;
  /** scrypt cost of the UI's first password (tests use a cheap one). */
  uiScrypt?: ScryptParams;
}

/**
 * `skywire visor`: run the node from its config until `options.signal` aborts. Resolves to the
 * process exit code: 0 after a clean shutdown, 1 when shutdown overran its budget, and
 * {@linkcode ROLLBACK_EXIT_CODE} when the updater put the previous binary back (at start, or
 * because this version did not become healthy before its boot deadline).
 *
 * Order: config (warnings, and the sections this build does not run, logged; a `cli_addr`
 * that is not loopback is a `ConfigError`) → log level → updater boot check → store and dmsg
 * client → `/health` on dmsg port 80 → transports → control endpoint → once reachable, the
 * "booted OK" mark → background updater.
 * Shutdown closes everything within `shutdown_timeout` (default {@linkcode SHUTDOWN_BUDGET_MS}).
 */
export async function runVisor(options: RunVisorOptions): Promise<number> {
  const parsed = await loadNodeConfig(options.configPath);
  const { config, stateDir } = parsed;
  controlListenAddress(config.cli_addr); // a non-loopback cli_addr stops us before anything runs
  const level = parseLogLevel(config.log_level) ?? "info";
  // The web UI's log page reads the newest lines from memory.
  const logs = new LogRing();
  const logger = createLogger({
    level,
    component: "visor",
    sink: teeSink(options.logSink ?? stderrSink, logs.sink),
  });
  for (const warning of parsed.warnings) logger.warn(warning);
  if (!parseLogLevel(config.log_level)) {
    logger.warn("unknown log_level; using info", { log_level: config.log_level });
  }
  const notRun = sectionsNotRun(config);
  if (notRun.length) {
    logger.warn("this build does not run these config sections yet; they are kept as written", {
      sections: notRun.join(", "),
    });
  }
  const updaterLogger = logger.child("updater");

  const boot = await checkPendingRollback({ stateDir, logger: updaterLogger });
  if (boot.action === "rolled-back") {
    logger.error("exiting so the restored binary starts", { exit_code: ROLLBACK_EXIT_CODE });
    return ROLLBACK_EXIT_CODE;
  }

  const stop = new AbortController();
  const onOuterAbort = () => stop.abort();
  if (options.signal.aborted) stop.abort();
  else options.signal.addEventListener("abort", onOuterAbort, { once: true });
  let exitCode = 0;
  let deadlineWatch: Disposable | undefined;
  if (boot.action === "pending") {
    deadlineWatch = watchBootDeadline({
      stateDir,
      deadline: boot.deadline,
      logger: updaterLogger,
      onRollback: () => {
        exitCode = ROLLBACK_EXIT_CODE;
        stop.abort();
      },
    });
  }

  let visor: Visor | undefined;
  let updater: BackgroundUpdater | undefined;
  let ui: UiServer | undefined;
  let healthy: Promise<void> | undefined;
  try {
    visor = await startVisor({
      config,
      pk: parsed.pk,
      sk: parsed.sk,
      logger,
      dmsgTuning: options.dmsgTuning,
    });
    options.onStarted?.(visor);
    const started = visor;
    healthy = (async () => {
      await started.ready(stop.signal);
      await markBootedOk({ stateDir, logger: updaterLogger });
      deadlineWatch?.[Symbol.dispose]();
      logger.info("visor is reachable over dmsg; booted OK", { pk: started.pk.hex() });
      options.onHealthy?.(started);
    })();
    healthy.catch((error) => {
      if (!stop.signal.aborted) logger.error("visor did not become healthy", { error });
    });
    updater = startBackgroundUpdater({
      config: config.updater,
      stateDir,
      configPath: options.configPath,
      logger: updaterLogger,
    });
    ui = await startWebUi({
      config,
      visor,
      updater,
      logs,
      logger: logger.child("ui"),
      scrypt: options.uiScrypt,
    });
    if (ui) options.onUi?.(ui);
    trimNativeHeapWhileRunning(stop.signal); // what starting freed goes back to the system
    await aborted(stop.signal);
  } finally {
    options.signal.removeEventListener("abort", onOuterAbort);
    deadlineWatch?.[Symbol.dispose]();
    const budgetMs = parseDuration(config.shutdown_timeout) ?? SHUTDOWN_BUDGET_MS;
    logger.info("shutting down", { budget_ms: budgetMs });
    const close = async () => {
      await ui?.close();
      await updater?.stop();
      // A "booted OK" mark being written finishes before the stores close.
      await healthy?.catch(() => {});
      await visor?.close();
    };
    const closed = await closeWithin(close, { budgetMs, logger, what: "visor shutdown" });
    if (!closed && exitCode === 0) exitCode = 1;
  }
  return exitCode;
}
