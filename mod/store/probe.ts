import { DatabaseSync } from "node:sqlite";

/** What the probe found. */
export type ProbeResult =
  | { status: "missing" }
  | { status: "ok" }
  | { status: "corrupt"; reason: string }
  | { status: "foreign"; reason: string }
  | { status: "unusable"; reason: string };

// SQLite's words for "cannot use it now" (permissions, a read-only mount, another process's
// lock), which are not damage: such a file must never be moved aside.
const NOT_DAMAGE = /unable to open database file|readonly database|database is locked|busy/i;

/** A probe function; tests substitute one that throws to prove the store still recovers. */
export type StoreProbe = (path: string) => ProbeResult | Promise<ProbeResult>;

const MAGIC = new TextEncoder().encode("SQLite format 3\0");

function hasSqliteHeader(path: string): boolean {
  const file = Deno.openSync(path, { read: true });
  try {
    const head = new Uint8Array(MAGIC.length);
    let off = 0;
    while (off < head.length) {
      const n = file.readSync(head.subarray(off));
      if (n === null) return false;
      off += n;
    }
    return head.every((b, i) => b === MAGIC[i]);
  } finally {
    file.close();
  }
}

// Tables every Deno KV SQLite file has (denokv sqlite backend schema).
const KV_TABLES = ["kv", "migration_state"];

/**
 * Check a Deno KV file read-only with SQLite's `PRAGMA quick_check`.
 *
 * - no file: `missing` (a fresh store will be created);
 * - not a regular file, zero length, unreadable as SQLite, or a failed check: `corrupt`;
 * - a healthy SQLite file that is not a Deno KV store: `foreign` (never touched);
 * - SQLite cannot open or lock it (permissions, read-only mount, busy): `unusable` (never
 *   touched). A file this process may not read at all throws `Deno.errors.PermissionDenied`.
 */
export function probeStore(path: string): ProbeResult {
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { status: "missing" };
    throw error;
  }
  if (!info.isFile) {
    return {
      status: "corrupt",
      reason: info.isDirectory ? "a directory, not a file" : "not a file",
    };
  }
  // A store Deno KV has written is never empty; zero bytes means a truncated or botched copy.
  if (info.size === 0) return { status: "corrupt", reason: "empty file" };
  // SQLite treats a file too short for its header as an empty database and would overwrite it.
  if (!hasSqliteHeader(path)) return { status: "corrupt", reason: "not a database (bad header)" };

  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path, { readOnly: true });
    const rows = db.prepare("PRAGMA quick_check").all() as Array<Record<string, unknown>>;
    const problems = rows.map((row) => String(Object.values(row)[0]));
    if (problems.length !== 1 || problems[0] !== "ok") {
      return { status: "corrupt", reason: `quick_check: ${problems.slice(0, 5).join("; ")}` };
    }
    const tables =
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<
        { name: string }
      >).map((row) => row.name);
    if (tables.length > 0 && !KV_TABLES.some((t) => tables.includes(t))) {
      return {
        status: "foreign",
        reason: `SQLite file without Deno KV tables (${tables.join(",")})`,
      };
    }
    return { status: "ok" };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return NOT_DAMAGE.test(reason) ? { status: "unusable", reason } : { status: "corrupt", reason };
  } finally {
    try {
      db?.close();
    } catch {
      // Closing a handle on a damaged file may fail too; the result above stands.
    }
  }
}
