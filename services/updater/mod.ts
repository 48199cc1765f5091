/**
 * The auto-updater: signed releases installed in place, with rollback and `RESTART_SERVICES`.
 *
 * - {@linkcode runUpdate}: one check or install (what `skywire update` runs).
 * - {@linkcode startBackgroundUpdater}: the node's periodic check.
 * - {@linkcode checkPendingRollback} (first thing at node start), {@linkcode markBootedOk} (once
 *   healthy) and {@linkcode watchBootDeadline}: the post-update health gate.
 * - {@linkcode restartAfterUpdate}: the node's unit, then the units in `RESTART_SERVICES`.
 *
 * @module
 */
export { nextCheckDelay, startBackgroundUpdater } from "./background.ts";
export type { BackgroundUpdater, BackgroundUpdaterOptions } from "./background.ts";
export { probeVersion, targetFiles } from "./binary.ts";
export type { TargetFiles, VersionProbe } from "./binary.ts";
export {
  checkPendingRollback,
  markBootedOk,
  MAX_UNCONFIRMED_STARTS,
  ROLLBACK_EXIT_CODE,
  rollbackUpdate,
  watchBootDeadline,
} from "./boot.ts";
export type {
  BootCheckOptions,
  BootCheckResult,
  BootOptions,
  BootWatchOptions,
  RollbackResult,
} from "./boot.ts";
export { downloadAsset } from "./download.ts";
export type { DownloadOptions, DownloadResult } from "./download.ts";
export { parseEnvFile, readRestartServices, splitRestartServices } from "./env_file.ts";
export type { RestartServices } from "./env_file.ts";
export { UPDATE_STEPS, UpdateError } from "./errors.ts";
export type { UpdateErrorCode, UpdateStep } from "./errors.ts";
export { findExecutable, insideUnit, restartAfterUpdate } from "./restart.ts";
export type { RestartOptions, RestartReport, UnitRestart } from "./restart.ts";
export { fetchManifest, manifestUrl } from "./source.ts";
export { openUpdaterState, readUpdaterStatus, UPDATER_STATE_FILE } from "./state.ts";
export type {
  BootedOkMark,
  CheckRecord,
  HistoryEntry,
  PendingUpdate,
  UpdaterState,
  UpdaterStatusRecord,
} from "./state.ts";
export { envFileTemplate, nodeCommand, quoteUnitArg, systemdUnit } from "./systemd_unit.ts";
export type { NodeCommandOptions, SystemdUnitOptions } from "./systemd_unit.ts";
export { resolveUpdateTarget } from "./target.ts";
export type { ResolveTargetOptions, UpdateTarget } from "./target.ts";
export { runUpdate } from "./update.ts";
export type { UpdateOptions, UpdateResult, UpdateStatus } from "./update.ts";
