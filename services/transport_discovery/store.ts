import type { Logger } from "../../mod/log/mod.ts";

/**
 * Layout in Deno KV, under `["transport_discovery"]`:
 *
 * - `tp/<id>` → {@linkcode StoredTransport}: the entry (with its Go JSON) and its expiry;
 * - `edge/<pk hex>/<id>` → expiry: the index of each edge's transports, written and deleted in
 *   the same atomic operation as the entry (one key when both edges are the same visor);
 * - `visor/<pk hex>` → {@linkcode VisorRecord}: the last heartbeat of a visor.
 *
 * Entries and index keys expire together (`expireIn`); Deno KV deletes expired keys lazily, so
 * every read also checks the stored expiry, and an index key whose entry is gone is ignored.
 */
const ROOT = "transport_discovery";
// Deno KV's getMany takes at most 10 keys.
const GET_MANY = 10;

/** An entry as the transport discovery keeps it. */
export interface StoredTransport {
  /** Transport id, canonical UUID text. */
  id: string;
  /** The two edges, hex, in entry order. */
  edges: [string, string];
  /** The entry as Go's `json.Marshal` writes it (what every read answers). */
  json: string;
  /** When it was first registered, Unix ns (Go's `SignedEntry.Registered`). */
  registered: bigint;
  /** Unix ms after which the entry is gone; 0 = never. */
  expiresAt: number;
}

/** A stored entry as read, with the versionstamp for a checked write. */
export interface TransportRecord {
  /** The entry, or `undefined` when there is none (or it expired). */
  transport?: StoredTransport;
  /** Versionstamp of the entry's key (also of an expired one), for the atomic check. */
  versionstamp: string | null;
}

/** A visor's last heartbeat. */
export interface VisorRecord {
  /** Public key hex. */
  pk: string;
  /** The version it reported (may be empty). */
  version: string;
  /** Unix ms of the heartbeat. */
  lastSeen: number;
}

function live(expiresAt: number, now: number): boolean {
  return expiresAt === 0 || expiresAt > now;
}

function isTransport(value: unknown): value is StoredTransport {
  const v = value as StoredTransport | null;
  return typeof v?.id === "string" && Array.isArray(v.edges) && typeof v.json === "string" &&
    typeof v.expiresAt === "number";
}

/** Entries and heartbeats of the transport discovery in Deno KV. */
export class TransportStore {
  readonly #kv: () => Deno.Kv;
  readonly #now: () => number;
  readonly #log: Logger;

  /** `kv` is called at each use (a store may swap its handle on recovery); `now` is in ms. */
  constructor(kv: () => Deno.Kv, now: () => number, log: Logger) {
    this.#kv = kv;
    this.#now = now;
    this.#log = log;
  }

  /** The live entry `id`, with the versionstamp to write it back. */
  async get(id: string): Promise<TransportRecord> {
    const res = await this.#kv().get<StoredTransport>([ROOT, "tp", id]);
    return { transport: this.#readable(res.value, id), versionstamp: res.versionstamp };
  }

  #readable(value: unknown, id: string): StoredTransport | undefined {
    if (value === null || value === undefined) return undefined;
    if (!isTransport(value)) {
      // Only this service writes these records; one it cannot read is treated as absent.
      this.#log.warn("unreadable stored transport; treating it as absent", { id });
      return undefined;
    }
    return live(value.expiresAt, this.#now()) ? value : undefined;
  }

  /**
   * Store `transport` for `ttlMs` (0 = no expiry) if its key still has `versionstamp`
   * (`null`: still absent). `false` when another write got there first.
   */
  async put(
    transport: StoredTransport,
    ttlMs: number,
    versionstamp: string | null,
  ): Promise<boolean> {
    const ttl = ttlMs > 0 ? { expireIn: ttlMs } : undefined;
    const op = this.#kv().atomic()
      .check({ key: [ROOT, "tp", transport.id], versionstamp })
      .set([ROOT, "tp", transport.id], transport, ttl);
    for (const edge of new Set(transport.edges)) {
      op.set([ROOT, "edge", edge, transport.id], transport.expiresAt, ttl);
    }
    return (await op.commit()).ok;
  }

  /**
   * Remove `transport` and its index keys if its key still has `versionstamp`. `false` when
   * another write got there first.
   */
  async delete(transport: StoredTransport, versionstamp: string | null): Promise<boolean> {
    const op = this.#kv().atomic()
      .check({ key: [ROOT, "tp", transport.id], versionstamp })
      .delete([ROOT, "tp", transport.id]);
    for (const edge of new Set(transport.edges)) op.delete([ROOT, "edge", edge, transport.id]);
    return (await op.commit()).ok;
  }

  /** The live entries with edge `pkHex`, in id order. */
  async byEdge(pkHex: string): Promise<StoredTransport[]> {
    const keys: Deno.KvKey[] = [];
    for await (const item of this.#kv().list({ prefix: [ROOT, "edge", pkHex] })) {
      keys.push([ROOT, "tp", item.key[3]]);
    }
    const out: StoredTransport[] = [];
    for (let i = 0; i < keys.length; i += GET_MANY) {
      const batch = await this.#kv().getMany<StoredTransport[]>(keys.slice(i, i + GET_MANY));
      for (const res of batch) {
        const transport = this.#readable(res.value, String(res.key[2]));
        // An index key outliving its entry (or pointing at another edge's) is ignored.
        if (transport?.edges.includes(pkHex)) out.push(transport);
      }
    }
    return out;
  }

  /** Every live entry, in id order. */
  async all(): Promise<StoredTransport[]> {
    const out: StoredTransport[] = [];
    for await (const item of this.#kv().list<StoredTransport>({ prefix: [ROOT, "tp"] })) {
      const transport = this.#readable(item.value, String(item.key[2]));
      if (transport) out.push(transport);
    }
    return out;
  }

  /** Note a visor's heartbeat; kept `keepMs`. */
  async recordHeartbeat(pkHex: string, version: string, keepMs: number): Promise<void> {
    const record: VisorRecord = { pk: pkHex, version, lastSeen: this.#now() };
    await this.#kv().set([ROOT, "visor", pkHex], record, { expireIn: keepMs });
  }

  /** The visors heard from within `keepMs`, in key order. */
  async visors(keepMs: number): Promise<VisorRecord[]> {
    const since = this.#now() - keepMs;
    const out: VisorRecord[] = [];
    for await (const item of this.#kv().list<VisorRecord>({ prefix: [ROOT, "visor"] })) {
      if (typeof item.value?.lastSeen === "number" && item.value.lastSeen > since) {
        out.push(item.value);
      }
    }
    return out;
  }
}
