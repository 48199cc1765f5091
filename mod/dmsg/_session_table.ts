import type { PubKey } from "../cipher/mod.ts";

/**
 * One slot per remote key (a session, or what an entity keeps about one). A newer value for a
 * key replaces the older, which {@linkcode replace} hands back for the caller to close; removal
 * is identity-checked, so the cleanup of a replaced session never removes its replacement.
 */
export class SessionTable<V> {
  readonly #slots = new Map<string, V>();

  /** How many keys hold a value. */
  get size(): number {
    return this.#slots.size;
  }

  /** The value in `pk`'s slot. */
  get(pk: PubKey): V | undefined {
    return this.#slots.get(pk.hex());
  }

  /** Whether `pk`'s slot holds a value. */
  has(pk: PubKey): boolean {
    return this.#slots.has(pk.hex());
  }

  /** The values, in insertion order. */
  values(): IterableIterator<V> {
    return this.#slots.values();
  }

  /** Put `value` in `pk`'s slot; returns the value it replaced, if any. */
  replace(pk: PubKey, value: V): V | undefined {
    const key = pk.hex();
    const older = this.#slots.get(key);
    this.#slots.set(key, value);
    return older === value ? undefined : older;
  }

  /** Empty `pk`'s slot if it still holds `value`; returns whether it did. */
  release(pk: PubKey, value: V): boolean {
    const key = pk.hex();
    if (this.#slots.get(key) !== value) return false;
    this.#slots.delete(key);
    return true;
  }
}
