import { DatabaseSync } from "node:sqlite";

/** What a salvage found. */
export interface SalvageResult {
  /** Records copied into the fresh store. */
  copied: number;
  /** Why the scan stopped early (a damaged page), if it did. */
  stoppedBy?: string;
}

type Row = {
  k: Uint8Array;
  v: Uint8Array;
  v_encoding: number;
  version: number | bigint;
  seq?: number | bigint;
  expiration_ms?: number | bigint;
};

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Copy every record of Deno KV's `kv` table that still reads from the damaged SQLite file
 * `damaged` into `target`, a fresh (empty) Deno KV file, byte for byte: keys, values, value
 * encodings, versionstamps and expiries as they were.
 *
 * The table is a B-tree ordered by key, and a damaged page ends a scan where it lies (with an
 * error, or quietly). So the table is read from the first key forwards, then from the last key
 * backwards down to the last key read forwards: what lies outside the damaged pages is kept. `target`'s version counter is moved past every copied versionstamp, so that new writes
 * are still newer than copied records. Synchronous; neither file may be open in Deno KV.
 */
export function salvageRecords(damaged: string, target: string): SalvageResult {
  let source: DatabaseSync;
  try {
    source = new DatabaseSync(damaged, { readOnly: true });
  } catch (error) {
    return { copied: 0, stoppedBy: message(error) };
  }
  const fresh = new DatabaseSync(target);
  let copied = 0;
  let stoppedBy: string | undefined;
  let maxVersion = 0n;
  try {
    const insert = fresh.prepare(
      "INSERT OR REPLACE INTO kv (k, v, v_encoding, version, seq, expiration_ms) " +
        "VALUES (?, ?, ?, ?, ?, ?)",
    );
    const copy = (row: Row) => {
      insert.run(
        row.k,
        row.v,
        row.v_encoding,
        row.version,
        row.seq ?? 0,
        row.expiration_ms ?? -1,
      );
      copied++;
      if (BigInt(row.version) > maxVersion) maxVersion = BigInt(row.version);
    };
    fresh.exec("BEGIN");
    let lastForward: Uint8Array | undefined;
    try {
      for (const row of source.prepare("SELECT * FROM kv ORDER BY k ASC").iterate()) {
        copy(row as Row);
        lastForward = (row as Row).k;
      }
    } catch (error) {
      stoppedBy = message(error);
    }
    // A damaged page may end the scan with an error or, as often, quietly: always read back
    // from the other end, down to where the forward scan got.
    let backward = 0;
    try {
      for (const row of source.prepare("SELECT * FROM kv ORDER BY k DESC").iterate()) {
        const k = (row as Row).k;
        if (lastForward && compareBytes(k, lastForward) <= 0) break;
        copy(row as Row);
        backward++;
      }
    } catch (error) {
      stoppedBy ??= message(error);
    }
    if (backward > 0) stoppedBy ??= "the forward scan ended early";
    fresh.prepare(
      "INSERT INTO data_version (k, version) VALUES (0, ?) " +
        "ON CONFLICT (k) DO UPDATE SET version = max(version, excluded.version)",
    ).run(maxVersion);
    fresh.exec("COMMIT");
  } finally {
    try {
      source.close();
    } catch {
      // A handle on a damaged file may refuse to close cleanly; it is read-only.
    }
    fresh.close();
  }
  return { copied, stoppedBy };
}
