import {
  DIAL_FAILURE_BACKOFF_MAX_MS,
  DIAL_FAILURE_BACKOFF_MS,
  ENTRY_CACHE_MAX,
  ENTRY_CACHE_TTL_MS,
} from "./constants.ts";
import type { Entry } from "./disc/mod.ts";

interface Cached<T> {
  value: T;
  expires: number;
}

/**
 * A small map with a time to live and a size cap (oldest first out); expired entries go on
 * access and on insert, so the map never holds more than `max` entries.
 */
export class TtlMap<T> {
  readonly #map = new Map<string, Cached<T>>();
  readonly #max: number;

  /** Create a map holding at most `max` entries. */
  constructor(max: number) {
    this.#max = max;
  }

  /** Entries held (expired ones included until touched). */
  get size(): number {
    return this.#map.size;
  }

  /** The live value for `key`. */
  get(key: string, now = performance.now()): T | undefined {
    const hit = this.#map.get(key);
    if (!hit) return undefined;
    if (hit.expires <= now) {
      this.#map.delete(key);
      return undefined;
    }
    return hit.value;
  }

  /** Store `value` for `ttlMs`. */
  set(key: string, value: T, ttlMs: number, now = performance.now()): void {
    this.#map.delete(key);
    if (this.#map.size >= this.#max) {
      for (const [k, v] of this.#map) {
        if (v.expires <= now) this.#map.delete(k);
      }
      if (this.#map.size >= this.#max) this.#map.delete(this.#map.keys().next().value!);
    }
    this.#map.set(key, { value, expires: now + ttlMs });
  }

  /** Forget `key`. */
  delete(key: string): void {
    this.#map.delete(key);
  }

  /** Forget everything. */
  clear(): void {
    this.#map.clear();
  }
}

/** The dial ladder's memory: destination entries, last good routes, failure backoff. */
export class DialCaches {
  /** Destination entries by key hex (30 s). */
  readonly entries: TtlMap<Entry> = new TtlMap(ENTRY_CACHE_MAX);
  /** The server (key hex) that last carried a stream to a destination. */
  readonly routes: TtlMap<string> = new TtlMap(ENTRY_CACHE_MAX);
  /** Failure backoff of destinations whose whole ladder failed: its length and its end. */
  readonly failures: TtlMap<{ ms: number; until: number }> = new TtlMap(ENTRY_CACHE_MAX);

  /** A fresh entry for `key`, if cached. */
  entry(key: string): Entry | undefined {
    return this.entries.get(key);
  }

  /** Remember `entry` for the cache lifetime. */
  rememberEntry(key: string, entry: Entry): void {
    this.entries.set(key, entry, ENTRY_CACHE_TTL_MS);
  }

  /** Whether `key` is inside a failure backoff window. */
  backingOff(key: string, now = performance.now()): boolean {
    const failure = this.failures.get(key, now);
    return failure !== undefined && now < failure.until;
  }

  /** A dial to `key` succeeded through `serverKey`. */
  succeeded(key: string, serverKey: string): void {
    this.failures.delete(key);
    // Routes are remembered as long as entries are long-lived hints; a stale one costs one try.
    this.routes.set(key, serverKey, 10 * ENTRY_CACHE_TTL_MS);
  }

  /** The whole ladder to `key` failed: forget its entry and grow its backoff. */
  failed(key: string, now = performance.now()): void {
    this.entries.delete(key);
    this.routes.delete(key);
    const previous = this.failures.get(key, now);
    const ms = previous === undefined
      ? DIAL_FAILURE_BACKOFF_MS
      : Math.min(previous.ms * 2, DIAL_FAILURE_BACKOFF_MAX_MS);
    // Kept for twice the window, so failures in a row keep growing the backoff.
    this.failures.set(key, { ms, until: now + ms }, 2 * ms, now);
  }
}
