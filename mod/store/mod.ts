/**
 * The only way anything opens Deno KV. Every open is preceded by a health probe
 * ({@linkcode probeStore}): Deno KV is SQLite underneath, and a damaged page in the middle of the
 * file lets `Deno.openKv` succeed and later kills the process from a background task, so the
 * check must run before the open. A file that fails the probe is moved aside (never deleted)
 * and a fresh store is opened; the recovery is logged and recorded in the new store.
 *
 * @module
 */
export { openStore, StoreAccessError, StoreError } from "./open.ts";
export type { OpenStoreOptions, Store } from "./open.ts";
export { probeStore } from "./probe.ts";
export type { ProbeResult, StoreProbe } from "./probe.ts";
export { checkStore, startStoreMonitor } from "./monitor.ts";
export type { StoreMonitor, StoreMonitorOptions } from "./monitor.ts";
export { listRecoveries, RECOVERY_PREFIX } from "./recovery.ts";
export { namespacedStore } from "./namespace.ts";
export { openServiceStore } from "./borrow.ts";
export type { ServiceStoreOptions } from "./borrow.ts";
export type { RecoveryRecord } from "./recovery.ts";
export { DirLockedError, lockDir } from "./dir_lock.ts";
export type { DirLock, LockDirOptions, LockHolder } from "./dir_lock.ts";
