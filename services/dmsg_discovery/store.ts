import { decodeEntry, type Entry } from "../../mod/dmsg/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";
import { type Tombstone, TOMBSTONE_TTL_MS } from "./replay.ts";

/**
 * Layout in Deno KV, under `["dmsg_discovery"]`:
 *
 * - `entry/<pk hex>`: the entry's Go-canonical JSON and its expiry (one key per entry);
 * - `server/<pk hex>`, `client/<pk hex>`: small indexes so that listing servers or clients
 *   does not read every entry. They are written and deleted in the same atomic operation as
 *   the entry and carry the same expiry;
 * - `gone/<pk hex>`: the tombstone of a deletion (sequence and timestamp of the deleting
 *   entry), kept for `TOMBSTONE_TTL_MS`, so that nothing signed before it can be played back.
 *
 * Deno KV deletes expired keys lazily, so every read also checks the stored expiry.
 */
const ROOT = "dmsg_discovery";

interface StoredEntry {
  body: Uint8Array;
  /** Unix ms after which the entry is gone; 0 = never. */
  expiresAt: number;
}

interface ServerIndex {
  expiresAt: number;
  availableSessions: bigint;
  body: Uint8Array;
}

interface StoredTombstone extends Tombstone {
  expiresAt: number;
}

interface ClientIndex {
  expiresAt: number;
  delegatedServers: string[] | null;
  visor: boolean;
}

/** A stored entry as read. */
export interface StoredRecord {
  /** The decoded entry, or `null` when there is none (or it expired). */
  entry: Entry | null;
  /** Its Go-canonical JSON. */
  body: Uint8Array;
  /** Versionstamp of the KV key (also of an expired record), for the atomic check. */
  versionstamp: string | null;
  /** The key's last deletion, if it is recent enough to matter. */
  tombstone: Tombstone | null;
  /** Versionstamp of the tombstone key, for the atomic check. */
  tombstoneVersionstamp: string | null;
}

/** A live server from the index. */
export interface ServerRecord {
  /** Public key hex. */
  pk: string;
  /** Sessions it can still accept. */
  availableSessions: bigint;
  /** The entry's Go-canonical JSON. */
  body: Uint8Array;
}

/** A live client from the index. */
export interface ClientRecord {
  /** Public key hex. */
  pk: string;
  /** Its delegated servers (hex), `null` for Go's nil list. */
  delegatedServers: string[] | null;
  /** Whether `client_type` is `visor`. */
  visor: boolean;
}

function live(expiresAt: number, now: number): boolean {
  return expiresAt === 0 || expiresAt > now;
}

/** Entries of the dmsg discovery in Deno KV. */
export class DiscoveryStore {
  readonly #kv: () => Deno.Kv;
  readonly #now: () => number;
  readonly #log: Logger;

  /** `kv` is called at each use (a store may swap its handle on recovery); `now` is in ms. */
  constructor(kv: () => Deno.Kv, now: () => number, log: Logger) {
    this.#kv = kv;
    this.#now = now;
    this.#log = log;
  }

  /** The entry of `pkHex`, if it exists and has not expired, and its tombstone. */
  async get(pkHex: string): Promise<StoredRecord> {
    const [res, gone] = await this.#kv().getMany<[StoredEntry, StoredTombstone]>([
      [ROOT, "entry", pkHex],
      [ROOT, "gone", pkHex],
    ]);
    const now = this.#now();
    const tombstone = gone.value && live(gone.value.expiresAt, now)
      ? { sequence: gone.value.sequence, timestamp: gone.value.timestamp }
      : null;
    const record: StoredRecord = {
      entry: null,
      body: new Uint8Array(0),
      versionstamp: res.versionstamp,
      tombstone,
      tombstoneVersionstamp: gone.versionstamp,
    };
    if (!res.value || !live(res.value.expiresAt, now)) return record;
    try {
      return { ...record, entry: decodeEntry(res.value.body), body: res.value.body };
    } catch (error) {
      // Only this service writes these bytes; a record it cannot read is treated as absent.
      this.#log.warn("unreadable stored entry; treating it as absent", { pk: pkHex, error });
      return record;
    }
  }

  /**
   * Store `entry` (with its canonical `body`) for `ttlMs` (0 = no expiry) if the entry and
   * tombstone keys are still as `read` found them. Returns `false` when another write got
   * there first, so that two concurrent updates (or an update and a delete) cannot both win.
   */
  async put(
    entry: Entry,
    body: Uint8Array,
    ttlMs: number,
    read: StoredRecord,
  ): Promise<boolean> {
    const pk = entry.static.hex();
    const expiresAt = ttlMs > 0 ? this.#now() + ttlMs : 0;
    const ttl = ttlMs > 0 ? { expireIn: ttlMs } : undefined;
    const op = this.#kv().atomic()
      .check({ key: [ROOT, "entry", pk], versionstamp: read.versionstamp })
      .check({ key: [ROOT, "gone", pk], versionstamp: read.tombstoneVersionstamp })
      .set([ROOT, "entry", pk], { body, expiresAt } satisfies StoredEntry, ttl);
    if (entry.server) {
      const index: ServerIndex = {
        expiresAt,
        availableSessions: entry.server.availableSessions,
        body,
      };
      op.set([ROOT, "server", pk], index, ttl);
    } else op.delete([ROOT, "server", pk]);
    if (entry.client) {
      const index: ClientIndex = {
        expiresAt,
        delegatedServers: entry.client.delegatedServers?.map((k) => k.hex()) ?? null,
        visor: entry.clientType === "visor",
      };
      op.set([ROOT, "client", pk], index, ttl);
    } else op.delete([ROOT, "client", pk]);
    const result = await op.commit();
    return result.ok;
  }

  /**
   * Remove the entry of `pkHex` (absent is fine, as in Go) and leave `tombstone`, if the keys
   * are still as `read` found them; `false` when another write got there first.
   */
  async delete(pkHex: string, tombstone: Tombstone, read: StoredRecord): Promise<boolean> {
    const stored: StoredTombstone = { ...tombstone, expiresAt: this.#now() + TOMBSTONE_TTL_MS };
    const result = await this.#kv().atomic()
      .check({ key: [ROOT, "entry", pkHex], versionstamp: read.versionstamp })
      .check({ key: [ROOT, "gone", pkHex], versionstamp: read.tombstoneVersionstamp })
      .delete([ROOT, "entry", pkHex])
      .delete([ROOT, "server", pkHex])
      .delete([ROOT, "client", pkHex])
      .set([ROOT, "gone", pkHex], stored, { expireIn: TOMBSTONE_TTL_MS })
      .commit();
    return result.ok;
  }

  /** All live servers. */
  async servers(): Promise<ServerRecord[]> {
    const now = this.#now();
    const out: ServerRecord[] = [];
    for await (const item of this.#kv().list<ServerIndex>({ prefix: [ROOT, "server"] })) {
      if (!live(item.value.expiresAt, now)) continue;
      out.push({
        pk: String(item.key[2]),
        availableSessions: item.value.availableSessions,
        body: item.value.body,
      });
    }
    return out;
  }

  /** All live clients. */
  async clients(): Promise<ClientRecord[]> {
    const now = this.#now();
    const out: ClientRecord[] = [];
    for await (const item of this.#kv().list<ClientIndex>({ prefix: [ROOT, "client"] })) {
      if (!live(item.value.expiresAt, now)) continue;
      out.push({
        pk: String(item.key[2]),
        delegatedServers: item.value.delegatedServers,
        visor: item.value.visor,
      });
    }
    return out;
  }
}
