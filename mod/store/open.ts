import { dirname } from "node:path";
import type { Logger } from "../log/mod.ts";
import { createLogger } from "../log/mod.ts";
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
    // A probe that throws is treated like a failed check: the file is suspect.
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

async function openKvFile(path: string): Promise<Deno.Kv> {
  try {
    Deno.mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    throw new StoreError(`cannot create the directory of store ${path}: ${errorText(error)}`, {
      cause: error,
    });
  }
  try {
    return await Deno.openKv(path);
  } catch (error) {
    throw new StoreError(`cannot open store ${path}: ${errorText(error)}`, { cause: error });
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

  const recoverFile = (reason: string): RecoveryRecord => {
    const movedTo = moveAside(path, now());
    const rec: RecoveryRecord = { time: now().toISOString(), reason, path, movedTo };
    logger.warn("store was damaged; moved it aside and started a fresh one", {
      path,
      reason,
      moved_to: movedTo.join(","),
    });
    return rec;
  };

  let recovery: RecoveryRecord | undefined;
  const result = await runProbe(probe, path);
  if (result.status === "foreign") {
    throw new StoreError(`refusing to use ${path} as a store: ${result.reason}`);
  }
  if (result.status === "corrupt") {
    recovery = recoverFile(result.reason);
  } else if (result.status === "missing") {
    // Side files without their database would be replayed into the fresh one; keep them aside.
    if (SIDE_FILES.slice(1).some((s) => exists(path + s))) {
      recovery = recoverFile("stray -wal/-shm files without a database");
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
      const rec = recoverFile(reason);
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
