import type { PubKey } from "../cipher/mod.ts";
import { MAX_NONCE } from "./constants.ts";

/**
 * Where a service keeps the next expected nonce of each public key. A key never seen has
 * nonce 0 and no record, as in Go.
 */
export interface NonceStore {
  /** The next nonce `pk` must sign with. */
  nonce(pk: PubKey): Promise<bigint>;
  /**
   * Use up `expected`: advance `pk`'s nonce from `expected` to the next one in one atomic step.
   * `false` when the stored nonce is no longer `expected` (a replay, or a concurrent request
   * that used it first).
   */
  consume(pk: PubKey, expected: bigint): Promise<boolean>;
}

/**
 * Nonces in Deno KV under `[...prefix, pkHex]`, one `bigint` per key. The advance is a
 * versionstamp-checked write, so two requests carrying the same nonce cannot both use it, even
 * when they arrive at once.
 */
export class KvNonceStore implements NonceStore {
  readonly #kv: () => Deno.Kv;
  readonly #prefix: Deno.KvKey;

  /** `kv` is called at each use (a store may swap its handle on recovery). */
  constructor(kv: () => Deno.Kv, prefix: Deno.KvKey = ["httpauth", "nonce"]) {
    this.#kv = kv;
    this.#prefix = prefix;
  }

  async nonce(pk: PubKey): Promise<bigint> {
    const res = await this.#kv().get<bigint>([...this.#prefix, pk.hex()]);
    return typeof res.value === "bigint" ? res.value : 0n;
  }

  async consume(pk: PubKey, expected: bigint): Promise<boolean> {
    const key = [...this.#prefix, pk.hex()];
    const res = await this.#kv().get<bigint>(key);
    const current = typeof res.value === "bigint" ? res.value : 0n;
    if (current !== expected) return false;
    // Go's nonce is a uint64 and wraps; so does ours.
    const next = expected === MAX_NONCE ? 0n : expected + 1n;
    const result = await this.#kv().atomic()
      .check({ key, versionstamp: res.versionstamp })
      .set(key, next)
      .commit();
    return result.ok;
  }
}
