import type { KeyPair, PubKey } from "../cipher/mod.ts";

/** Default number of peers whose static-static DH a {@linkcode StaticDhCache} keeps. */
export const STATIC_DH_CACHE_SIZE = 128;

interface Entry {
  local: PubKey;
  dh: Uint8Array;
}

/**
 * A small least-recently-used cache of static-static DH results (`ss` in Noise KK), keyed by
 * the peer's static key. `ss = DH(s, rs)` depends only on the two static keys, so every KK
 * handshake between the same pair computes the same value; a dmsg stream open costs four DHs
 * per side and this saves one of them for peers seen recently.
 *
 * Owned by one endpoint (one local key pair, though each entry also records the local key it
 * was made with). Each entry costs about 380 bytes of heap (measured over 20,000 entries: the
 * peer key's hex string, the 33-byte result and the map slot), so the default 128 peers stay
 * under 50 KiB. Size 0 disables caching. The results are as secret as the static key itself and live exactly as
 * long as the endpoint that owns the cache.
 */
export class StaticDhCache {
  /** The most entries kept; the least recently used one goes first. */
  readonly capacity: number;
  readonly #entries = new Map<string, Entry>();

  /** A cache of at most `capacity` peers (default {@linkcode STATIC_DH_CACHE_SIZE}). */
  constructor(capacity: number = STATIC_DH_CACHE_SIZE) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`static DH cache size must be a whole number ≥ 0, got ${capacity}`);
    }
    this.capacity = capacity;
  }

  /** Number of peers cached now. */
  get size(): number {
    return this.#entries.size;
  }

  /** `DH(local.sk, remote)`: the cached bytes (callers must not modify them), or `compute()`'s. */
  get(local: KeyPair, remote: PubKey, compute: () => Uint8Array): Uint8Array {
    if (this.capacity === 0) return compute();
    const key = remote.hex();
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      this.#entries.delete(key);
      if (hit.local.equals(local.pk)) {
        this.#entries.set(key, hit); // most recently used goes last
        return hit.dh;
      }
    }
    const dh = compute();
    this.#entries.set(key, { local: local.pk, dh });
    if (this.#entries.size > this.capacity) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    return dh;
  }

  /** Forget every entry. */
  clear(): void {
    this.#entries.clear();
  }
}
