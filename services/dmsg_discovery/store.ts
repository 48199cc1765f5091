import { decodeEntry, type Entry } from "../../mod/dmsg/disc/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";
import { CommitBatcher } from "./_commit_batcher.ts";
import { ClientIndex } from "./client_index.ts";
import { EntryCache } from "./entry_cache.ts";
import { factsOf, type StoredFacts, storedFacts } from "./_stored_facts.ts";
import { type Tombstone, TOMBSTONE_TTL_MS } from "./replay.ts";
import {
  type EntryValue,
  entryValue,
  indexExpiry,
  type IndexValue,
  indexValue,
  readEntryValue,
} from "./_store_values.ts";

/**
 * Layout in Deno KV, under `["dmsg_discovery"]`:
 *
 * - `entry/<pk hex>`: the entry's Go-canonical JSON and its expiry (one key per entry; the
 *   values here are raw bytes and u64s where they can be, see `_store_values.ts`);
 * - `server/<pk hex>` (with the entry's JSON, served as stored), `client/<pk hex>`,
 *   `visor/<pk hex>` and `by_server/<server hex>/<client hex>` (one per delegated server):
 *   indexes, so that every listing reads a bounded range of small records and never decodes
 *   an entry. They are written and deleted in the same atomic operation as the entry and
 *   carry the same expiry;
 * - `gone/<pk hex>`: the tombstone of a deletion (sequence and timestamp of the deleting
 *   entry), kept for `TOMBSTONE_TTL_MS`, so that nothing signed before it can be played back;
 * - `layout`: the layout version (2 since the `visor` and `by_server` indexes).
 *
 * Deno KV deletes expired keys lazily, so every read also checks the stored expiry.
 *
 * The entries' JSON is also kept in an {@linkcode EntryCache} for `GET /entry/{pk}`, and the
 * client keys in a {@linkcode ClientIndex} for `/entries`; every committed write here updates
 * both, and a new KV handle (the store recovered) empties both.
 */
const ROOT = "dmsg_discovery";
const LAYOUT = 2;

interface ServerIndex {
  expiresAt: number;
  availableSessions: bigint;
  body: Uint8Array;
}

interface StoredTombstone extends Tombstone {
  expiresAt: number;
}

/** A stored entry as read. */
export interface StoredRecord {
  /** What the checks and the index records need of the entry; `null` when there is none. */
  entry: StoredFacts | null;
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

function live(expiresAt: number, now: number): boolean {
  return expiresAt === 0 || expiresAt > now;
}

/** The facts of a stored body (read without decoding it when it is canonical, as written). */
function factsOfBody(body: Uint8Array): StoredFacts {
  return storedFacts(body) ?? factsOf(decodeEntry(body));
}

/** Entries of the dmsg discovery in Deno KV. */
export class DiscoveryStore {
  readonly #openKv: () => Deno.Kv;
  readonly #now: () => number;
  readonly #log: Logger;
  readonly #cache: EntryCache;
  readonly #clients: ClientIndex;
  readonly #batcher: CommitBatcher;
  #lastKv: Deno.Kv | undefined;

  /**
   * `kv` is called at each use (a store may swap its handle on recovery); `now` is in ms;
   * `cache` holds entries' JSON for lookups and `clients` the client keys for listings
   * (defaults: of the default sizes).
   */
  constructor(
    kv: () => Deno.Kv,
    now: () => number,
    log: Logger,
    cache?: EntryCache,
    clients?: ClientIndex,
  ) {
    this.#openKv = kv;
    this.#now = now;
    this.#log = log;
    this.#cache = cache ?? new EntryCache();
    this.#clients = clients ?? new ClientIndex();
    this.#batcher = new CommitBatcher(() => this.#kv());
  }

  /** The KV handle now; a new one (the store was recovered) empties the entry cache. */
  #kv(): Deno.Kv {
    const kv = this.#openKv();
    if (kv !== this.#lastKv) {
      if (this.#lastKv !== undefined) {
        this.#cache.clear();
        this.#clients.clear();
      }
      this.#lastKv = kv;
    }
    return kv;
  }

  /**
   * Fill the entry cache with the store's live entries, as many as its budget holds, and the
   * client index with the live client keys.
   */
  async warmCache(): Promise<void> {
    const kv = this.#kv();
    const now = this.#now();
    async function* liveEntries(): AsyncIterable<[string, Uint8Array, number, string]> {
      for await (const item of kv.list<EntryValue>({ prefix: [ROOT, "entry"] })) {
        const stored = readEntryValue(item.value);
        if (stored && live(stored.expiresAt, now)) {
          yield [String(item.key[2]), stored.body, stored.expiresAt, item.versionstamp];
        }
      }
    }
    await this.#cache.load(liveEntries());
    async function* liveKeys(index: string): AsyncIterable<[string, number]> {
      for await (const item of kv.list<IndexValue>({ prefix: [ROOT, index] })) {
        const expiresAt = indexExpiry(item.value);
        if (live(expiresAt, now)) yield [String(item.key[2]), expiresAt];
      }
    }
    await this.#clients.load(liveKeys("client"), liveKeys("visor"));
  }

  /** The entry of `pkHex`, if it exists and has not expired, and its tombstone. */
  async get(pkHex: string): Promise<StoredRecord> {
    const [res, gone] = await this.#kv().getMany<[EntryValue, StoredTombstone]>([
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
    const stored = res.value && readEntryValue(res.value);
    if (!stored || !live(stored.expiresAt, now)) return record;
    try {
      return { ...record, entry: factsOfBody(stored.body), body: stored.body };
    } catch (error) {
      // Only this service writes these bytes; a record it cannot read is treated as absent.
      this.#log.warn("unreadable stored entry; treating it as absent", { pk: pkHex, error });
      return record;
    }
  }

  /**
   * What {@linkcode get} would most likely read, from the entry cache without a store read:
   * the cached entry and its versionstamp, or none; no tombstone (a recent deletion) assumed.
   * A write made on it checks those assumptions like any other: if they were wrong it fails,
   * and the writer reads the store. `undefined` when the cache cannot say.
   */
  cachedRecord(pkHex: string): StoredRecord | undefined {
    this.#kv();
    const cached = this.#cache.lookup(pkHex, this.#now());
    if (cached.kind === "unknown") return undefined;
    const none = { tombstone: null, tombstoneVersionstamp: null };
    if (cached.kind === "absent") {
      return { entry: null, body: new Uint8Array(0), versionstamp: null, ...none };
    }
    try {
      const entry = factsOfBody(cached.body);
      return { entry, body: cached.body, versionstamp: cached.versionstamp, ...none };
    } catch {
      return undefined;
    }
  }

  /**
   * {@linkcode getBody} from the entry cache alone: the JSON, `null` when there is surely no
   * entry, `undefined` when only the store can say.
   */
  cachedBody(pkHex: string): Uint8Array | null | undefined {
    this.#kv();
    const cached = this.#cache.lookup(pkHex, this.#now());
    if (cached.kind === "hit") return cached.body;
    return cached.kind === "absent" ? null : undefined;
  }

  /**
   * The stored JSON of the live entry of `pkHex` (lowercase), not decoded (what `GET`
   * serves): from the cache, else from the store (and then cached).
   */
  async getBody(pkHex: string): Promise<Uint8Array | undefined> {
    const cached = this.cachedBody(pkHex);
    if (cached !== undefined) return cached ?? undefined;
    const writes = this.#cache.writes;
    const res = await this.#kv().get<EntryValue>([ROOT, "entry", pkHex]);
    const stored = res.value && readEntryValue(res.value);
    if (!stored || !live(stored.expiresAt, this.#now())) return undefined;
    this.#cache.fill(pkHex, stored.body, stored.expiresAt, res.versionstamp!, writes);
    return stored.body;
  }

  /**
   * Store `entry` (with its canonical `body`) for `ttlMs` (0 = no expiry) if the entry and
   * tombstone keys are still as `read` found them. Returns `false` when another write got
   * there first, so that two concurrent updates (or an update and a delete) cannot both win.
   * Writes waiting for the same commit are committed together (`_commit_batcher.ts`).
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
    const index = indexValue(expiresAt);
    // The same facts as a read gives of a stored entry, so that both sides compare alike.
    const facts = factsOf(entry);
    const delegated = new Set(facts.delegated);
    const dropped = (read.entry?.delegated ?? []).filter((server) => !delegated.has(server));
    // Over a live entry its index records are known; deleting ones it does not have would
    // cost the commit for nothing. (Over none, records of an expired entry may linger.)
    const had = read.entry ?? { server: true, client: true, visor: true };
    const checks: Deno.AtomicCheck[] = [
      { key: [ROOT, "entry", pk], versionstamp: read.versionstamp },
    ];
    // Over a live entry the tombstone played no part (an update is checked against the entry),
    // and a deletion since the read changed the entry key: its check covers that. (The cache's
    // guess knows no tombstone; checking one would fail every update of a key re-registered
    // after a deletion, and with it the whole commit group, for ten minutes.)
    if (read.entry === null) {
      checks.push({ key: [ROOT, "gone", pk], versionstamp: read.tombstoneVersionstamp });
    }
    const versionstamp = await this.#batcher.commit({
      key: pk,
      checks,
      mutations: 4 + delegated.size + dropped.length,
      bytes: 2 * body.length + 64 * (4 + delegated.size + dropped.length),
      mutate: (op) => {
        op.set([ROOT, "entry", pk], entryValue(body, expiresAt), ttl);
        if (entry.server) {
          const server: ServerIndex = {
            expiresAt,
            availableSessions: entry.server.availableSessions,
            body,
          };
          op.set([ROOT, "server", pk], server, ttl);
        } else if (had.server) op.delete([ROOT, "server", pk]);
        if (facts.client) op.set([ROOT, "client", pk], index, ttl);
        else if (had.client) op.delete([ROOT, "client", pk]);
        if (facts.visor) op.set([ROOT, "visor", pk], index, ttl);
        else if (had.visor) op.delete([ROOT, "visor", pk]);
        for (const server of dropped) op.delete([ROOT, "by_server", server, pk]);
        for (const server of delegated) op.set([ROOT, "by_server", server, pk], index, ttl);
      },
    });
    if (versionstamp === null) return false;
    this.#cache.stored(pk, body, expiresAt, versionstamp);
    this.#clients.stored(pk, facts.client ? { visor: facts.visor, expiresAt } : undefined);
    return true;
  }

  /**
   * Remove the entry of `pkHex` (absent is fine, as in Go) and leave `tombstone`, if the keys
   * are still as `read` found them; `false` when another write got there first.
   */
  async delete(pkHex: string, tombstone: Tombstone, read: StoredRecord): Promise<boolean> {
    const stored: StoredTombstone = { ...tombstone, expiresAt: this.#now() + TOMBSTONE_TTL_MS };
    const op = this.#kv().atomic()
      .check({ key: [ROOT, "entry", pkHex], versionstamp: read.versionstamp })
      .check({ key: [ROOT, "gone", pkHex], versionstamp: read.tombstoneVersionstamp })
      .delete([ROOT, "entry", pkHex])
      .delete([ROOT, "server", pkHex])
      .delete([ROOT, "client", pkHex])
      .delete([ROOT, "visor", pkHex])
      .set([ROOT, "gone", pkHex], stored, { expireIn: TOMBSTONE_TTL_MS });
    for (const server of read.entry?.delegated ?? []) {
      op.delete([ROOT, "by_server", server, pkHex]);
    }
    const ok = (await op.commit()).ok;
    if (ok) {
      this.#cache.removed(pkHex);
      this.#clients.removed(pkHex);
    }
    return ok;
  }

  /** Up to `limit` live servers, in key order (the scan reads at most `limit` records). */
  async servers(limit: number): Promise<ServerRecord[]> {
    const now = this.#now();
    const out: ServerRecord[] = [];
    const items = this.#kv().list<ServerIndex>({ prefix: [ROOT, "server"] }, { limit });
    for await (const item of items) {
      if (!live(item.value.expiresAt, now)) continue;
      out.push({
        pk: String(item.key[2]),
        availableSessions: item.value.availableSessions,
        body: item.value.body,
      });
    }
    return out;
  }

  /** Keys (hex) of up to `limit` live clients, or visors, in key order (a bounded scan). */
  async clientKeys(options: { visorsOnly?: boolean; limit: number }): Promise<string[]> {
    this.#kv(); // a recovered store empties the index before it is asked
    const kept = this.#clients.keys({
      visorsOnly: options.visorsOnly ?? false,
      limit: options.limit,
      now: this.#now(),
    });
    if (kept) return kept;
    const index = options.visorsOnly ? "visor" : "client";
    return await this.#keys([ROOT, index], options.limit, 2);
  }

  /** Keys (hex) of up to `limit` live clients that delegate to `serverHex`. */
  async clientsOf(serverHex: string, limit: number): Promise<string[]> {
    return await this.#keys([ROOT, "by_server", serverHex], limit, 3);
  }

  /** Up to `limit` live `[server, client]` delegations (hex), grouped by server. */
  async delegations(limit: number): Promise<Array<[string, string]>> {
    const now = this.#now();
    const out: Array<[string, string]> = [];
    const items = this.#kv().list<IndexValue>({ prefix: [ROOT, "by_server"] }, { limit });
    for await (const item of items) {
      if (live(indexExpiry(item.value), now)) out.push([String(item.key[2]), String(item.key[3])]);
    }
    return out;
  }

  async #keys(prefix: Deno.KvKey, limit: number, part: number): Promise<string[]> {
    const now = this.#now();
    const out: string[] = [];
    for await (const item of this.#kv().list<IndexValue>({ prefix }, { limit })) {
      if (live(indexExpiry(item.value), now)) out.push(String(item.key[part]));
    }
    return out;
  }

  /**
   * Bring a store written by an earlier version to this layout: its client index carried the
   * delegated servers inline; they become `by_server` and `visor` records. Runs once per
   * store (then `layout` says so); expiries are kept.
   */
  async upgrade(): Promise<void> {
    const kv = this.#kv();
    if ((await kv.get<number>([ROOT, "layout"])).value === LAYOUT) return;
    const now = this.#now();
    let moved = 0;
    type OldClient = { expiresAt: number; delegatedServers?: string[] | null; visor?: boolean };
    for await (const item of kv.list<OldClient | Deno.KvU64>({ prefix: [ROOT, "client"] })) {
      if (item.value instanceof Deno.KvU64) continue; // written in this layout
      const { expiresAt, delegatedServers, visor } = item.value;
      if (!live(expiresAt, now)) continue;
      const pk = String(item.key[2]);
      const index = indexValue(expiresAt);
      const ttl = expiresAt > 0 ? { expireIn: expiresAt - now } : undefined;
      const op = kv.atomic().check(item).set(item.key, index, ttl);
      if (visor) op.set([ROOT, "visor", pk], index, ttl);
      for (const server of delegatedServers ?? []) {
        op.set([ROOT, "by_server", server, pk], index, ttl);
      }
      if ((await op.commit()).ok) moved++;
    }
    await kv.set([ROOT, "layout"], LAYOUT);
    if (moved > 0) this.#log.info("store upgraded to the indexed layout", { clients: moved });
  }
}
