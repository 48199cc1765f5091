/**
 * mulberry32: a small seeded PRNG, so every fuzz run sees the same inputs and a failure can be
 * reproduced from its seed.
 */
export function mulberry32(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.next();
}

/** A seeded PRNG (mulberry32) with helpers for fuzz inputs. */
export class Prng {
  #state: number;

  /** Start from `seed`. */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }

  /** One of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** `n` bytes from a PRNG seeded with `seed`: the same bytes on every run, four per PRNG step. */
export function seededBytes(n: number, seed = 1): Uint8Array<ArrayBuffer> {
  const prng = new Prng(seed);
  const out = new Uint8Array(n);
  const whole = n - (n % 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < whole; i += 4) view.setUint32(i, prng.u32(), true);
  for (let i = whole; i < n; i++) out[i] = prng.u32() & 0xff;
  return out;
}
