import { hexToBytes, PubKey, SecKey } from "../../../mod/cipher/mod.ts";

/** Two fixed public keys (from secret keys 1 and 2). */
export const PK_A: PubKey = SecKey.fromHex("01".padStart(64, "0")).pubKey();
/** The second fixed public key. */
export const PK_B: PubKey = SecKey.fromHex("02".padStart(64, "0")).pubKey();

/** Concatenate byte arrays and hex strings into one buffer. */
export function bytes(...parts: (Uint8Array | string | number[])[]): Uint8Array {
  const arrays = parts.map((p) =>
    typeof p === "string" ? hexToBytes(p) : p instanceof Uint8Array ? p : Uint8Array.from(p)
  );
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let off = 0;
  for (const a of arrays) {
    out.set(a, off);
    off += a.length;
  }
  return out;
}

/** A seeded PRNG (mulberry32) so fuzz runs are reproducible. */
export function prng(
  seed: number,
): { next(): number; int(n: number): number; fill(b: Uint8Array): void } {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    fill(b) {
      for (let i = 0; i < b.length; i++) b[i] = Math.floor(next() * 256);
    },
  };
}
