/**
 * How the discovery's KV values are written: as raw bytes and u64s, which Deno KV stores as
 * they are, rather than objects, which it runs through V8's serializer at every write (a
 * registration writes five records). Stores written before hold objects; every reader takes
 * both.
 *
 * @module
 */

/** An `entry/` record as read: the entry's Go-canonical JSON and its expiry. */
export interface StoredEntry {
  /** The entry's JSON. */
  body: Uint8Array;
  /** Unix ms after which the entry is gone; 0 = never. */
  expiresAt: number;
}

/** An `entry/` value: the expiry (8 bytes, a big-endian float64) then the JSON; or, before, an object. */
export type EntryValue = Uint8Array | StoredEntry;

/** A `client/`, `visor/` or `by_server/` value: the expiry alone; or, before, an object. */
export type IndexValue = Deno.KvU64 | { expiresAt: number };

const EXPIRY_BYTES = 8;

/** The `entry/` value of `body` until `expiresAt` (0 = never). */
export function entryValue(body: Uint8Array, expiresAt: number): Uint8Array {
  const value = new Uint8Array(EXPIRY_BYTES + body.length);
  new DataView(value.buffer).setFloat64(0, expiresAt);
  value.set(body, EXPIRY_BYTES);
  return value;
}

/** What an `entry/` value holds; `undefined` for a value of neither shape. */
export function readEntryValue(value: EntryValue): StoredEntry | undefined {
  if (value instanceof Uint8Array) {
    if (value.length < EXPIRY_BYTES) return undefined;
    const view = new DataView(value.buffer, value.byteOffset, EXPIRY_BYTES);
    return { body: value.subarray(EXPIRY_BYTES), expiresAt: view.getFloat64(0) };
  }
  if (typeof value !== "object" || value === null) return undefined;
  return value.body instanceof Uint8Array && typeof value.expiresAt === "number"
    ? value
    : undefined;
}

/** The index value for `expiresAt` (0 = never). */
export function indexValue(expiresAt: number): Deno.KvU64 {
  return new Deno.KvU64(BigInt(expiresAt));
}

/** The expiry an index value holds (`NaN` for a value of neither shape: never live). */
export function indexExpiry(value: IndexValue): number {
  return value instanceof Deno.KvU64 ? Number(value.value) : Number(value?.expiresAt);
}
