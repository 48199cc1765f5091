import { hexToBytes, PubKey, SecKey } from "../../../mod/cipher/mod.ts";
import { concatBytes } from "../../../mod/conn/mod.ts";
import { mulberry32 } from "../../_util/prng.ts";

/** Two fixed public keys (from secret keys 1 and 2). */
export const PK_A: PubKey = SecKey.fromHex("01".padStart(64, "0")).pubKey();
/** The second fixed public key. */
export const PK_B: PubKey = SecKey.fromHex("02".padStart(64, "0")).pubKey();

/** Concatenate byte arrays and hex strings into one buffer. */
export function bytes(...parts: (Uint8Array | string | number[])[]): Uint8Array {
  const arrays = parts.map((p) =>
    typeof p === "string" ? hexToBytes(p) : p instanceof Uint8Array ? p : Uint8Array.from(p)
  );
  return concatBytes(arrays);
}

/** A seeded PRNG (mulberry32) so fuzz runs are reproducible. */
export function prng(
  seed: number,
): { next(): number; int(n: number): number; fill(b: Uint8Array): void } {
  const next = mulberry32(seed);
  return {
    next,
    int: (n) => Math.floor(next() * n),
    fill(b) {
      for (let i = 0; i < b.length; i++) b[i] = Math.floor(next() * 256);
    },
  };
}
