/**
 * The entries `GET /entry/{pk}` serves, kept in memory as their stored JSON so that a lookup
 * reads no store and decodes nothing. Bounded by the bytes it holds (least recently used out
 * first). While it holds every live entry of the store ("complete": filled at start-up within
 * its budget and nothing evicted since), a key it does not hold has no entry, so a lookup of an
 * unknown key reads no store either.
 *
 * Only this process writes the store, and every write goes through `DiscoveryStore`, which
 * updates the cache after each committed write; a read from the store fills the cache only if
 * no write happened while it was under way (so an older read cannot overwrite a newer entry).
 *
 * @module
 */

/** Bytes counted for each entry besides its JSON (key string, map slot, record). */
const OVERHEAD_BYTES = 160;
/** Default budget: the JSON of ~40,000 typical entries. */
export const DEFAULT_ENTRY_CACHE_BYTES = 16 * 1024 * 1024;

interface Cached {
  body: Uint8Array;
  /** Unix ms after which the entry is gone; 0 = never. */
  expiresAt: number;
  /** Versionstamp of the entry's KV key as written. */
  versionstamp: string;
}

/** What a lookup in the cache found. */
export type CacheLookup =
  | { kind: "hit"; body: Uint8Array; versionstamp: string }
  | { kind: "absent" }
  | { kind: "unknown" };

/** Stored entry JSON by key hex, bounded in bytes. */
export class EntryCache {
  readonly #max: number;
  readonly #map = new Map<string, Cached>();
  #bytes = 0;
  #complete = false;
  #writes = 0;

  /** A cache of at most `maxBytes` (counting each entry's JSON plus a fixed overhead). */
  constructor(maxBytes: number = DEFAULT_ENTRY_CACHE_BYTES) {
    if (!(maxBytes >= 0)) throw new RangeError("entry cache size must be >= 0");
    this.#max = maxBytes;
  }

  /** Bytes counted now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Entries held now. */
  get size(): number {
    return this.#map.size;
  }

  /** Whether every live entry of the store is held (a miss then means absent). */
  get complete(): boolean {
    return this.#complete;
  }

  /** A counter of writes; {@linkcode fill} compares it with the one read before a store read. */
  get writes(): number {
    return this.#writes;
  }

  /** The entry of `pk` at time `now`: its JSON, absent for sure, or unknown (read the store). */
  lookup(pk: string, now: number): CacheLookup {
    const found = this.#map.get(pk);
    if (found) {
      if (found.expiresAt !== 0 && found.expiresAt <= now) {
        this.#remove(pk, found);
        return { kind: "absent" };
      }
      // Most recently used goes last.
      this.#map.delete(pk);
      this.#map.set(pk, found);
      return { kind: "hit", body: found.body, versionstamp: found.versionstamp };
    }
    return this.#complete ? { kind: "absent" } : { kind: "unknown" };
  }

  /** A write committed as `versionstamp` stored `body` for `pk` (until `expiresAt`, 0 = never). */
  stored(pk: string, body: Uint8Array, expiresAt: number, versionstamp: string): void {
    this.#writes++;
    this.#put(pk, { body, expiresAt, versionstamp });
  }

  /** A committed write removed the entry of `pk`. */
  removed(pk: string): void {
    this.#writes++;
    const found = this.#map.get(pk);
    if (found) this.#remove(pk, found);
  }

  /**
   * A store read (begun when {@linkcode writes} was `writesBefore`) found `body` for `pk`:
   * kept unless a write happened meanwhile.
   */
  fill(
    pk: string,
    body: Uint8Array,
    expiresAt: number,
    versionstamp: string,
    writesBefore: number,
  ): void {
    if (this.#writes !== writesBefore || this.#map.has(pk)) return;
    this.#put(pk, { body, expiresAt, versionstamp });
  }

  /**
   * Start-up: `entries` are all the store's live entries (key, JSON, expiry, versionstamp).
   * They are taken while they fit; if all do, the cache is complete.
   */
  async load(entries: AsyncIterable<[string, Uint8Array, number, string]>): Promise<void> {
    this.clear();
    const writes = this.#writes;
    for await (const [pk, body, expiresAt, versionstamp] of entries) {
      // A write meanwhile (none is expected at start-up) makes what was read unsure.
      if (this.#writes !== writes) return;
      if (this.#bytes + body.length + OVERHEAD_BYTES > this.#max) return;
      this.#put(pk, { body, expiresAt, versionstamp });
    }
    if (this.#writes === writes) this.#complete = true;
  }

  /** Forget everything (the store changed under it, e.g. recovered): not complete any more. */
  clear(): void {
    this.#map.clear();
    this.#bytes = 0;
    this.#complete = false;
    this.#writes++;
  }

  #put(pk: string, value: Cached): void {
    const old = this.#map.get(pk);
    if (old) this.#remove(pk, old);
    const cost = value.body.length + OVERHEAD_BYTES;
    if (cost > this.#max) {
      // Too large to hold: the cache no longer knows this key's entry.
      this.#complete = false;
      return;
    }
    while (this.#bytes + cost > this.#max) {
      const [oldest, entry] = this.#map.entries().next().value!;
      this.#remove(oldest, entry);
      this.#complete = false;
    }
    this.#map.set(pk, value);
    this.#bytes += cost;
  }

  #remove(pk: string, value: Cached): void {
    this.#map.delete(pk);
    this.#bytes -= value.body.length + OVERHEAD_BYTES;
  }
}
