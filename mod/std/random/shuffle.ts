/** A source of uniform random numbers in [0, 1), like `Math.random`. */
export type Prng = () => number;

/** Options for {@linkcode shuffle}. */
export interface RandomOptions {
  /** The random source (default `Math.random`). */
  prng?: Prng;
}

/** A new array with the items of `items` in random order (Fisher–Yates); `items` is not changed. */
export function shuffle<T>(items: readonly T[], options: RandomOptions = {}): T[] {
  const random = options.prng ?? Math.random;
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
