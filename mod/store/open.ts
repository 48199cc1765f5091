import { dirname } from "node:path";
import type { Logger } from "../log/mod.ts";
import { createLogger } from "../log/mod.ts";
import { isAccessError, missingAccess } from "./_access.ts";
import { salvageRecords } from "./_salvage.ts";
import { type ProbeResult, probeStore, type StoreProbe } from "./probe.ts";
import { RECOVERY_PREFIX, type RecoveryRecord } from "./recovery.ts";

/** A store that could not be opened or recovered; the message says what to do. */
export class StoreError extends Error {
  /** Create the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StoreError";
  }
}

/**
 * The store's file or directory may not be used by this process (EACCES, EPERM, EROFS): a
 * permission or mount problem for the operator to fix, never damage. Nothing was moved.
 */
export class StoreAccessError extends StoreError {
  /** Create the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StoreAccessError";
  }
}

/** Throw {@linkcode StoreAccessError} naming the path when this process may not use it. */
function assertAccess(path: string): void {
  const missing = missingAccess(path);
  if (missing) {
    throw new StoreAccessError(
      `cannot use store ${path}: ${missing}; fix its owner or mode (or the mount) and start ` +
        `again (the store was not touched)`,
    );
  }
}

/** Options for {@linkcode openStore}. */
export interface OpenStoreOptions {
  /** Path of the KV file. Always explicit: never the runtime's default location. */
  path: string;
  /** Where recoveries and errors are logged. */
  logger?: Logger;
  /** The health probe; defaults to {@linkcode probeStore}. */
  probe?: StoreProbe;
  /** Clock, for tests. */
  now?: () => Date;
}

/** An open store. Use `store.kv` at the point of use: it changes after {@linkcode Store.recover}. */
export interface Store {
  /** The store's file path. */
  readonly path: string;
  /** The current KV handle. */
  readonly kv: Deno.Kv;
  /** The recovery this open performed, if any. */
  readonly recovery?: RecoveryRecord;
  /** Close the current handle, move the file aside and open a fresh one (while running). */
  recover(reason: string): Promise<RecoveryRecord>;
  /** Close the handle. Idempotent. */
  close(): void;
}

const SIDE_FILES = ["", "-wal", "-shm"];

async function runProbe(probe: StoreProbe, path: string): Promise<ProbeResult> {
  try {
    return await probe(path);
  } catch (error) {
    // Not being allowed to read is not damage: the file must stay where it is.
    if (isAccessError(error)) {
      throw new StoreAccessError(`cannot read store ${path}: ${errorText(error)}`, {
        cause: error,
      });
    }
    // A probe that throws otherwise is treated like a failed check: the file is suspect.
    return { status: "corrupt", reason: `probe failed: ${errorText(error)}` };
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Move the store file and its `-wal`/`-shm` side files aside as `<path>.corrupt.<unix-seconds>`
 * (plus a counter when that name is taken). Nothing is deleted. When the main file cannot be
 * moved, nothing has moved; when a side file cannot be moved, the main file is put back.
 */
function moveAside(path: string, now: Date): string[] {
  const seconds = Math.floor(now.getTime() / 1000);
  let target = `${path}.corrupt.${seconds}`;
  for (let n = 1; SIDE_FILES.some((s) => exists(target + s)); n++) {
    target = `${path}.corrupt.${seconds}.${n}`;
  }
  const moved: Array<[string, string]> = [];
  try {
    for (const suffix of SIDE_FILES) {
      if (!exists(path + suffix)) continue;
      Deno.renameSync(path + suffix, target + suffix);
      moved.push([path + suffix, target + suffix]);
    }
  } catch (error) {
    for (const [from, to] of moved.reverse()) {
      try {
        Deno.renameSync(to, from);
      } catch {
        // Best effort: the file keeps its new name, which the error below reports.
      }
    }
    throw new StoreError(
      `cannot move the damaged store ${path} aside (${errorText(error)}); ` +
        `fix the permissions of ${dirname(path)} or move the file away by hand`,
      { cause: error },
    );
  }
  return moved.map(([, to]) => to);
}

function makeDir(path: string): void {
  try {
    Deno.mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    const ErrorClass = isAccessError(error) ? StoreAccessError : StoreError;
    throw new ErrorClass(`cannot create the directory of store ${path}: ${errorText(error)}`, {
      cause: error,
    });
  }
}

async function openKvFile(path: string): Promise<Deno.Kv> {
  makeDir(path);
  try {
    return await Deno.openKv(path);
  } catch (error) {
    throw new StoreError(`cannot open store ${path}: ${errorText(error)}`, { cause: error });
  }
}

function removeQuietly(path: string): void {
  for (const suffix of SIDE_FILES) {
    try {
      Deno.removeSync(path + suffix);
    } catch {
      // Not there.
    }
  }
}

/**
 * Copy what still reads in the damaged store into a fresh file beside it; returns that file's
 * path and the count, or `undefined` when nothing could be saved (the recovery goes on with an
 * empty store, as before salvage existed).
 */
async function salvage(
  path: string,
  logger: Logger,
): Promise<{ file: string; copied: number } | undefined> {
  const file = `${path}.salvage`;
  removeQuietly(file);
  try {
    // Deno KV writes the schema, so the copy is a store this runtime opens as its own.
    (await Deno.openKv(file)).close();
    const result = salvageRecords(path, file);
    if (result.stoppedBy) {
      logger.warn("salvage stopped at damage", {
        path,
        copied: result.copied,
        at: result.stoppedBy,
      });
    }
    return { file, copied: result.copied };
  } catch (error) {
    logger.warn("could not salvage the damaged store; starting empty", { path, error });
    removeQuietly(file);
    return undefined;
  }
}

async function record(kv: Deno.Kv, rec: RecoveryRecord, logger: Logger): Promise<void> {
  try {
    await kv.set([...RECOVERY_PREFIX, Date.parse(rec.time), crypto.randomUUID()], rec);
  } catch (error) {
    logger.error("could not record the store recovery", { path: rec.path, error });
  }
}

/**
 * Probe, recover if needed, and open the Deno KV store at `options.path`.
 *
 * Throws {@linkcode StoreError} when the store cannot be opened, when a damaged file cannot be
 * moved aside, or when the path holds a SQLite file that is not a Deno KV store. There is never
 * an in-memory fallback.
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const { path } = options;
  const logger = options.logger ?? createLogger({ component: "store" });
  const probe = options.probe ?? probeStore;
  const now = options.now ?? (() => new Date());

  const recoverFile = async (reason: string): Promise<RecoveryRecord> => {
    const saved = exists(path) ? await salvage(path, logger) : undefined;
    let movedTo: string[];
    try {
      movedTo = moveAside(path, now());
      if (saved) {
        for (const suffix of SIDE_FILES) {
          if (exists(saved.file + suffix)) Deno.renameSync(saved.file + suffix, path + suffix);
        }
      }
    } catch (error) {
      if (saved) removeQuietly(saved.file);
      throw error;
    }
    const rec: RecoveryRecord = {
      time: now().toISOString(),
      reason,
      path,
      movedTo,
      salvaged: saved?.copied ?? 0,
    };
    logger.warn("store was damaged; moved it aside and started a fresh one", {
      path,
      reason,
      moved_to: movedTo.join(","),
      salvaged: rec.salvaged,
    });
    return rec;
  };

  makeDir(path);
  assertAccess(path);
  let recovery: RecoveryRecord | undefined;
  const result = await runProbe(probe, path);
  if (result.status === "foreign") {
    throw new StoreError(`refusing to use ${path} as a store: ${result.reason}`);
  }
  if (result.status === "unusable") {
    throw new StoreError(`cannot use store ${path}: ${result.reason} (the store was not touched)`);
  }
  if (result.status === "corrupt") {
    recovery = await recoverFile(result.reason);
  } else if (result.status === "missing") {
    // Side files without their database would be replayed into the fresh one; keep them aside.
    if (SIDE_FILES.slice(1).some((s) => exists(path + s))) {
      recovery = await recoverFile("stray -wal/-shm files without a database");
    }
  }

  let kv = await openKvFile(path);
  if (recovery) await record(kv, recovery, logger);
  let closed = false;

  return {
    path,
    get kv() {
      return kv;
    },
    recovery,
    async recover(reason: string) {
      if (!closed) {
        try {
          kv.close();
        } catch {
          // The handle may already be unusable; the move below does not depend on it.
        }
      }
      assertAccess(path);
      const rec = await recoverFile(reason);
      kv = await openKvFile(path);
      closed = false;
      await record(kv, rec, logger);
      return rec;
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        kv.close();
      } catch {
        // Already closed by the runtime.
      }
    },
  };
}
