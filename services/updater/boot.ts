import { formatDuration } from "../../mod/config/mod.ts";
import { createLogger, type Logger } from "../../mod/log/mod.ts";
import { VERSION } from "../../mod/version/mod.ts";
import { restorePrevious, targetFiles } from "./binary.ts";
import { errorText, UpdateError } from "./errors.ts";
import { openUpdaterState, type PendingUpdate, type UpdaterState } from "./state.ts";

/**
 * A new version gets this many starts to write its "booted OK" mark. systemd restarts a crashing
 * node every `RestartSec=5`, so a binary that dies at start-up is rolled back within seconds,
 * well inside the unit's start limit, instead of waiting out the whole boot timeout.
 */
export const MAX_UNCONFIRMED_STARTS = 3;

/**
 * Exit code for a node that has just put the previous binary back: non-zero, so systemd's
 * `Restart=on-failure` starts the (restored) binary. 75 is EX_TEMPFAIL.
 */
export const ROLLBACK_EXIT_CODE = 75;

/** Options shared by the boot-time functions. */
export interface BootOptions {
  /** Directory of `updater.kv` (the config's `local_path`). */
  stateDir: string;
  /** Version of the running binary; default this build's. */
  version?: string;
  /** Clock, for tests. */
  now?: () => Date;
  /** Logger. */
  logger?: Logger;
}

/** Options for {@linkcode checkPendingRollback}. */
export interface BootCheckOptions extends BootOptions {
  /** Starts allowed without a mark; default {@linkcode MAX_UNCONFIRMED_STARTS}. */
  maxUnconfirmedStarts?: number;
}

/** What {@linkcode checkPendingRollback} found and did. */
export type BootCheckResult =
  | { action: "none" }
  | {
    /** This version is on trial: call `markBootedOk` once healthy, before `deadline`. */
    action: "pending";
    pending: PendingUpdate;
    deadline: Date;
  }
  | {
    /** The previous binary is back in place: exit with `ROLLBACK_EXIT_CODE` now. */
    action: "rolled-back";
    pending: PendingUpdate;
    message: string;
  }
  | {
    /** Rolling back was due but failed; the node keeps running this version. */
    action: "rollback-failed";
    pending: PendingUpdate;
    message: string;
  };

/** Roll a pending update back; records history and forgets the pending entry either way. */
async function rollBackPending(
  state: UpdaterState,
  pending: PendingUpdate,
  reason: string,
  now: Date,
  logger: Logger,
): Promise<Exclude<BootCheckResult, { action: "none" | "pending" }>> {
  try {
    await restorePrevious(targetFiles(pending.exe));
  } catch (error) {
    // Clearing the entry stops a restart loop from retrying a rollback that cannot work.
    await state.setPending(undefined);
    const message = `rollback of ${pending.exe} to ${pending.from_version} failed ` +
      `(${errorText(error)}); still running ${pending.to_version}`;
    logger.error(message, { reason });
    return { action: "rollback-failed", pending, message };
  }
  const time = now.toISOString();
  await state.setPending(undefined);
  await state.addRolledBack(pending.to_version, time);
  await state.addHistory({
    time,
    event: "rolled-back",
    from_version: pending.to_version,
    to_version: pending.from_version,
    exe: pending.exe,
    reason,
  });
  const message = `rolled back ${pending.exe} from ${pending.to_version} to ` +
    `${pending.from_version}: ${reason}`;
  logger.error(message);
  return { action: "rolled-back", pending, message };
}

/**
 * Call first thing at node start-up. When an update is waiting for its "booted OK" mark:
 * - this start is within the allowance: counts it and returns `pending` with the deadline;
 * - the deadline passed or the new version already used up its starts without the mark (it
 *   crashed or hung): puts `<exe>.prev` back and returns `rolled-back`; the caller exits with
 *   {@linkcode ROLLBACK_EXIT_CODE} so systemd starts the restored binary.
 * A pending entry for another version (rolled back by hand, or an old binary started) is
 * cleared.
 */
export async function checkPendingRollback(options: BootCheckOptions): Promise<BootCheckResult> {
  const version = options.version ?? VERSION;
  const now = (options.now ?? (() => new Date()))();
  const logger = options.logger ?? createLogger({ component: "updater" });
  using state = await openUpdaterState({ stateDir: options.stateDir, logger });
  const pending = await state.pending();
  if (!pending) return { action: "none" };
  if (pending.to_version !== version) {
    logger.warn("forgetting an unconfirmed update: this binary is not the one installed", {
      pending: pending.to_version,
      running: version,
    });
    await state.setPending(undefined);
    return { action: "none" };
  }
  const firstStart = pending.first_start_at ? new Date(pending.first_start_at) : now;
  const deadline = new Date(firstStart.getTime() + pending.boot_timeout_ms);
  const maxStarts = options.maxUnconfirmedStarts ?? MAX_UNCONFIRMED_STARTS;
  if (pending.starts >= maxStarts) {
    return await rollBackPending(
      state,
      pending,
      `${pending.starts} starts without a "booted OK" mark`,
      now,
      logger,
    );
  }
  if (now.getTime() > deadline.getTime()) {
    return await rollBackPending(
      state,
      pending,
      `no "booted OK" mark within ${formatDuration(pending.boot_timeout_ms)}`,
      now,
      logger,
    );
  }
  const updated: PendingUpdate = {
    ...pending,
    starts: pending.starts + 1,
    first_start_at: firstStart.toISOString(),
  };
  await state.setPending(updated);
  logger.info("new version on trial: waiting for its booted-OK mark", {
    version,
    start: updated.starts,
    deadline: deadline.toISOString(),
  });
  return { action: "pending", pending: updated, deadline };
}

/**
 * Call once the node is healthy. Writes the "booted OK" mark and, when this version was on
 * trial, confirms the update (no rollback will happen). Resolves to whether an update was
 * confirmed.
 */
export async function markBootedOk(options: BootOptions): Promise<boolean> {
  const version = options.version ?? VERSION;
  const time = (options.now ?? (() => new Date()))().toISOString();
  const logger = options.logger ?? createLogger({ component: "updater" });
  using state = await openUpdaterState({ stateDir: options.stateDir, logger });
  await state.setBootedOk({ version, time });
  const pending = await state.pending();
  if (!pending || pending.to_version !== version) return false;
  await state.setPending(undefined);
  await state.addHistory({
    time,
    event: "confirmed",
    from_version: pending.from_version,
    to_version: pending.to_version,
    exe: pending.exe,
  });
  logger.info("update confirmed: booted OK", { version, exe: pending.exe });
  return true;
}

/** Options for {@linkcode watchBootDeadline}. */
export interface BootWatchOptions extends BootOptions {
  /** When the mark must be there (from a `pending` {@linkcode BootCheckResult}). */
  deadline: Date;
  /** Called after a rollback at the deadline; the node should exit with `ROLLBACK_EXIT_CODE`. */
  onRollback: (result: Exclude<BootCheckResult, { action: "none" | "pending" }>) => void;
}

/**
 * Roll back at the deadline if the running version still has no "booted OK" mark (it hangs
 * rather than crashes, so systemd would never restart it). Dispose the watch after
 * `markBootedOk`, or on shutdown.
 */
export function watchBootDeadline(options: BootWatchOptions): Disposable {
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? createLogger({ component: "updater" });
  const version = options.version ?? VERSION;
  let disposed = false;
  const timer = setTimeout(async () => {
    if (disposed) return;
    try {
      using state = await openUpdaterState({ stateDir: options.stateDir, logger });
      const pending = await state.pending();
      if (!pending || pending.to_version !== version) return;
      const result = await rollBackPending(
        state,
        pending,
        `no "booted OK" mark within ${formatDuration(pending.boot_timeout_ms)}`,
        now(),
        logger,
      );
      if (!disposed) options.onRollback(result);
    } catch (error) {
      logger.error("boot deadline check failed", { error: errorText(error) });
    }
  }, Math.max(0, options.deadline.getTime() - now().getTime()));
  return {
    [Symbol.dispose]() {
      disposed = true;
      clearTimeout(timer);
    },
  };
}

/** What {@linkcode rollbackUpdate} did. */
export interface RollbackResult {
  /** The binary that was restored. */
  exe: string;
  /** The update that had not been confirmed, if there was one. */
  pending?: PendingUpdate;
}

/**
 * `skywire update --rollback`: put `<exe>.prev` back over `exe` (the pending update's binary
 * when there is one). Throws {@linkcode UpdateError} (`rollback`).
 */
export async function rollbackUpdate(
  options: BootOptions & { exe: string; reason?: string },
): Promise<RollbackResult> {
  const logger = options.logger ?? createLogger({ component: "updater" });
  const now = (options.now ?? (() => new Date()))();
  using state = await openUpdaterState({ stateDir: options.stateDir, logger });
  const pending = await state.pending();
  const exe = pending?.exe ?? options.exe;
  const reason = options.reason ?? "rolled back by the operator";
  if (pending) {
    const result = await rollBackPending(state, pending, reason, now, logger);
    if (result.action === "rollback-failed") {
      throw new UpdateError("rollback", "rollback-failed", result.message);
    }
    return { exe, pending };
  }
  await restorePrevious(targetFiles(exe));
  await state.addHistory({ time: now.toISOString(), event: "rolled-back", exe, reason });
  logger.warn("put the previous binary back", { exe });
  return { exe };
}
