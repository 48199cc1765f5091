/** Curve constants and input builders shared by the secp256k1 backend comparison tests. */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { bytesToNumberBE, numberToBytesBE } from "@noble/curves/utils.js";
import type { Prng } from "../../_util/prng.ts";

/** The group order n. */
export const N: bigint = secp256k1.Point.Fn.ORDER;
/** The field prime p. */
export const P: bigint = secp256k1.Point.Fp.ORDER;
/** Arithmetic modulo n. */
export const Fn: typeof secp256k1.Point.Fn = secp256k1.Point.Fn;

/** `n` as a 32-byte big-endian scalar. */
export function scalar(n: bigint): Uint8Array {
  return numberToBytesBE(n, 32);
}

/** A valid secret key drawn from `prng`. */
export function randomSecret(prng: Prng): Uint8Array {
  for (;;) {
    const sk = prng.bytes(32);
    if (secp256k1.utils.isValidSecretKey(sk)) return sk;
  }
}

/** A copy of `bytes` with `bytes[index]` set to `value`. */
export function withByte(bytes: Uint8Array, index: number, value: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[index] = value;
  return out;
}

/** A signature mutated (with its hash) from one made by the secret scalar `d`. */
export type Mutation = (sig: Uint8Array, hash: Uint8Array, d: bigint) => [Uint8Array, Uint8Array];

/** A copy of the 65-byte `sig` with r, s (unless null) and the recovery id (if given) replaced. */
export function setScalars(
  sig: Uint8Array,
  r: bigint | null,
  s: bigint | null,
  recid?: number,
): Uint8Array {
  const out = Uint8Array.from(sig);
  if (r !== null) out.set(numberToBytesBE(r, 32), 0);
  if (s !== null) out.set(numberToBytesBE(s, 32), 32);
  if (recid !== undefined) out[64] = recid;
  return out;
}

/** The signature's r. */
export function rOf(sig: Uint8Array): bigint {
  return bytesToNumberBE(sig.subarray(0, 32));
}

/** The signature's s. */
export function sOf(sig: Uint8Array): bigint {
  return bytesToNumberBE(sig.subarray(32, 64));
}

/** A signature of `hash` whose recovery gives the point at infinity: s·R = e·G. */
export function infinitySig(hash: Uint8Array, prng: Prng): Uint8Array {
  const e = Fn.create(bytesToNumberBE(hash));
  const k = bytesToNumberBE(randomSecret(prng));
  const R = secp256k1.Point.BASE.multiply(k).toAffine();
  const recid = Number(R.y & 1n) | (R.x >= N ? 2 : 0);
  return setScalars(new Uint8Array(65), Fn.create(R.x), Fn.mul(e, Fn.inv(k)), recid);
}
