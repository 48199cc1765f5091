import { secp256k1 } from "@noble/curves/secp256k1.js";
import type { Secp256k1Backend } from "./secp256k1.ts";

/** secp256k1 in pure JavaScript from `@noble/curves` (the portable fallback and the reference). */
export const nobleSecp256k1: Secp256k1Backend = {
  name: "noble",
  isValidPoint(bytes) {
    return secp256k1.utils.isValidPublicKey(bytes, true);
  },
  publicKey(sk) {
    return secp256k1.getPublicKey(sk, true);
  },
  sharedPoint(sk, pk) {
    return secp256k1.getSharedSecret(sk, pk, true);
  },
  sign(hash, sk) {
    // noble's "recovered" format is recid‖R‖S; Skywire's wire form is R‖S‖recid.
    const recovered = secp256k1.sign(hash, sk, { prehash: false, lowS: true, format: "recovered" });
    const out = new Uint8Array(65);
    out.set(recovered.subarray(1), 0);
    out[64] = recovered[0];
    return out;
  },
  recover(sig, hash, pk) {
    let recovered: Uint8Array;
    try {
      recovered = secp256k1.Signature.fromBytes(sig.subarray(0, 64), "compact")
        .addRecoveryBit(sig[64])
        .recoverPublicKey(hash)
        .toBytes(true);
    } catch {
      return "unrecoverable"; // r or s out of range, R not on the curve, or the point at infinity
    }
    for (let i = 0; i < 33; i++) if (recovered[i] !== pk[i]) return "mismatch";
    return "match";
  },
};
