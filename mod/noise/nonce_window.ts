import { NONCE_WINDOW_SIZE } from "./constants.ts";
import { NoiseNonceError } from "./errors.ts";

const WINDOW = BigInt(NONCE_WINDOW_SIZE);
const WORDS = NONCE_WINDOW_SIZE / 32;

/**
 * A sliding replay window over 64-bit nonces, for messages that may arrive out of order (dmsg
 * session objects from concurrent streams). It holds the highest nonce seen and a fixed
 * 1024-bit ring bitmap of which of the last 1024 nonces (the highest included) were seen, so
 * memory is constant however many messages pass.
 *
 * Accepted: a nonce above the highest, or one within the window not seen before. Rejected:
 * 0, repeats, and nonces at least 1024 below the highest. (The 2023/2024 Go code used an
 * unbounded map for this; the 2026 code a 1024 window, which this follows.)
 */
export class NonceWindow {
  /** Number of nonces the window covers, the highest included. */
  static readonly SIZE: number = NONCE_WINDOW_SIZE;

  #highest = 0n;
  readonly #seen = new Uint32Array(WORDS);

  /** The highest nonce committed so far (0 before any). */
  get highest(): bigint {
    return this.#highest;
  }

  /** Whether `nonce` would be accepted now. */
  accepts(nonce: bigint): boolean {
    return this.#reason(nonce) === undefined;
  }

  /** Throw `NoiseNonceError` if `nonce` is zero, repeated or too old; does not record it. */
  check(nonce: bigint): void {
    const reason = this.#reason(nonce);
    if (reason) throw new NoiseNonceError(`noise: nonce ${nonce} rejected: ${reason}`);
  }

  /**
   * Record `nonce` as seen. Call after {@linkcode NonceWindow.check} passed and the message
   * authenticated, so forged nonces cannot move the window.
   */
  commit(nonce: bigint): void {
    this.check(nonce);
    if (nonce > this.#highest) {
      const advance = nonce - this.#highest;
      if (advance >= WINDOW) this.#seen.fill(0);
      else this.#clearAfter(this.#highest, Number(advance));
      this.#highest = nonce;
    }
    const slot = Number(nonce % WINDOW);
    this.#seen[slot >>> 5] |= 1 << (slot & 31);
  }

  #reason(nonce: bigint): string | undefined {
    if (nonce <= 0n) return "zero";
    if (nonce > this.#highest) return undefined;
    if (this.#highest - nonce >= WINDOW) return "older than the window";
    const slot = Number(nonce % WINDOW);
    return (this.#seen[slot >>> 5] & (1 << (slot & 31))) !== 0 ? "repeated" : undefined;
  }

  // Forget the slots of nonces highest+1 … highest+count, which now enter the window.
  #clearAfter(highest: bigint, count: number): void {
    let slot = Number((highest + 1n) % WINDOW);
    while (count > 0) {
      if ((slot & 31) === 0 && count >= 32) {
        this.#seen[slot >>> 5] = 0;
        slot += 32;
        count -= 32;
      } else {
        this.#seen[slot >>> 5] &= ~(1 << (slot & 31));
        slot++;
        count--;
      }
      if (slot === NONCE_WINDOW_SIZE) slot = 0;
    }
  }
}
