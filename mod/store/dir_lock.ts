import { join } from "node:path";
import { concatBytes } from "../conn/mod.ts";
import type { Logger } from "../log/mod.ts";

/** Who holds a directory lock, as written into the lock file. */
export interface LockHolder {
  /** Process id of the holder. */
  pid: number;
  /** What holds it, e.g. `skywire up`. */
  what: string;
  /** When it took the lock (ISO 8601). */
  started_at: string;
  /** Addresses and keys the holder published once it was up (name → value). */
  details?: Record<string, string>;
}

/** The directory is locked by a running process. */
export class DirLockedError extends Error {
  /** The lock file. */
  readonly path: string;
  /** What the lock file says about the holder (`undefined` if it could not be read). */
  readonly holder: LockHolder | undefined;

  /** Create the error. */
  constructor(dir: string, path: string, holder: LockHolder | undefined) {
    super(`${dir} is in use by ${describeHolder(holder)}`);
    this.name = "DirLockedError";
    this.path = path;
    this.holder = holder;
  }
}

function describeHolder(holder: LockHolder | undefined): string {
  if (holder === undefined) return "another process (its lock file is unreadable)";
  const details = Object.entries(holder.details ?? {}).map(([name, value]) => `${name} ${value}`);
  return `${holder.what} (${[`pid ${holder.pid}`, ...details].join(", ")})`;
}

/** A held directory lock; released by {@linkcode DirLock.release} or disposal. */
export interface DirLock extends Disposable {
  /** The lock file. */
  readonly path: string;
  /** Record details (addresses, keys) in the lock file for whoever finds the lock taken. */
  update(details: Record<string, string>): Promise<void>;
  /** Empty the lock file and let go of it. Idempotent. */
  release(): void;
}

/** Options for {@linkcode lockDir}. */
export interface LockDirOptions {
  /** The directory to lock (must exist). */
  dir: string;
  /** Lock file name in `dir` (default `lock`). */
  name?: string;
  /** What takes the lock, for the holder record (e.g. `skywire up`). */
  what: string;
  /** Logs taking over a lock whose holder ended without releasing it. */
  logger?: Logger;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text);
    if (typeof value?.pid === "number" && typeof value.what === "string") return value;
  } catch {
    // A torn or foreign file: no holder to name.
  }
  return undefined;
}

// A holder record is a few hundred bytes; more than this is not one of ours.
const MAX_HOLDER_BYTES = 64 * 1024;

async function readAll(file: Deno.FsFile): Promise<string> {
  await file.seek(0, Deno.SeekMode.Start);
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(4096);
  let total = 0;
  while (total < MAX_HOLDER_BYTES) {
    const n = await file.read(buffer);
    if (n === null) break;
    chunks.push(buffer.slice(0, n));
    total += n;
  }
  return new TextDecoder().decode(concatBytes(chunks));
}

async function writeHolder(file: Deno.FsFile, holder: LockHolder): Promise<void> {
  const bytes = new TextEncoder().encode(JSON.stringify(holder) + "\n");
  await file.truncate(0);
  await file.seek(0, Deno.SeekMode.Start);
  let offset = 0;
  while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
}

/**
 * Take an exclusive lock on `dir` so that two processes never share its keys and stores. The
 * lock is an OS file lock (`flock`) on `<dir>/<name>`, held while the process runs; the kernel
 * lets go of it when the process ends in any way, so a lock left by a killed holder is taken
 * over (and logged). The file also names the holder (pid, and details once it is up) for the
 * {@linkcode DirLockedError} a second process gets. The file is emptied, not removed, on
 * release: removing it would let a waiter lock a file no one else can see.
 */
export async function lockDir(options: LockDirOptions): Promise<DirLock> {
  const path = join(options.dir, options.name ?? "lock");
  const file = await Deno.open(path, { read: true, write: true, create: true, mode: 0o600 });
  let holder: LockHolder;
  try {
    if (!(await file.tryLock(true))) {
      throw new DirLockedError(options.dir, path, parseHolder(await readAll(file)));
    }
    const previous = parseHolder(await readAll(file));
    if (previous !== undefined) {
      options.logger?.warn("taking over a stale lock: its holder ended without releasing it", {
        path,
        pid: previous.pid,
        what: previous.what,
        since: previous.started_at,
      });
    }
    holder = { pid: Deno.pid, what: options.what, started_at: new Date().toISOString() };
    await writeHolder(file, holder);
  } catch (error) {
    file.close();
    throw error;
  }
  let released = false;
  let writing: Promise<void> = Promise.resolve();
  const release = () => {
    if (released) return;
    released = true;
    try {
      // An empty file tells the next holder that this one let go cleanly.
      file.truncateSync(0);
    } catch {
      // Closing below lets go of the lock all the same.
    }
    try {
      // Unlocked explicitly: Deno may close the descriptor a moment after close() returns (a
      // finished file op can still hold it), and until then the lock would stay held in this
      // process; a restart in the same process (tests, an aborted start) found it taken.
      file.unlockSync();
    } catch {
      // Closing lets go of it all the same.
    }
    file.close();
  };
  return {
    path,
    update(details) {
      if (released) return Promise.resolve();
      holder = { ...holder, details };
      const next = writing.then(() => released ? undefined : writeHolder(file, holder));
      writing = next.catch(() => {});
      return next;
    },
    release,
    [Symbol.dispose]: release,
  };
}
