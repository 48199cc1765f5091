import { secp256k1 } from "@noble/curves/secp256k1.js";
import { CipherError } from "./errors.ts";
import { sha256 } from "./hash.ts";
import { PubKey } from "./pub_key.ts";
import type { SecKey } from "./sec_key.ts";
import { Sig } from "./sig.ts";

/**
 * Sign `payload` as Skywire does: ECDSA over SHA-256(payload), low-S, with the recovery id in
 * the last byte. (Go uses a random nonce; we use RFC 6979, which verifies the same.)
 */
export function signPayload(payload: Uint8Array, sk: SecKey): Sig {
  return signHash(sha256(payload), sk);
}

/** Sign a 32-byte hash directly. */
export function signHash(hash: Uint8Array, sk: SecKey): Sig {
  // noble's "recovered" format is recid‖R‖S; Skywire's wire form is R‖S‖recid.
  const recovered = secp256k1.sign(hash, sk.view, {
    prehash: false,
    lowS: true,
    format: "recovered",
  });
  const out = new Uint8Array(65);
  out.set(recovered.subarray(1), 0);
  out[64] = recovered[0];
  return Sig.fromBytes(out);
}

/**
 * Verify that `sig` over SHA-256(`payload`) was made by `pk`, with Go's rules: a signature whose
 * S has its top bit set (malleable) or whose recovery id is 4 or more is rejected, and the key
 * recovered from the signature must equal `pk`. Throws {@linkcode CipherError} on failure.
 */
export function verifyPubKeySignedPayload(pk: PubKey, sig: Sig, payload: Uint8Array): void {
  verifyPubKeySignedHash(pk, sig, sha256(payload));
}

/** {@linkcode verifyPubKeySignedPayload} for an already-computed hash. */
export function verifyPubKeySignedHash(pk: PubKey, sig: Sig, hash: Uint8Array): void {
  if (pk.isNull()) throw new CipherError("invalid public key: null");
  const raw = sig.view;
  if (raw[32] >> 7 === 1) throw new CipherError("invalid signature: high S (malleable)");
  if (raw[64] >= 4) throw new CipherError("invalid signature: recovery id out of range");
  let recovered: Uint8Array;
  try {
    const nobleSig = secp256k1.Signature.fromBytes(raw.subarray(0, 64), "compact")
      .addRecoveryBit(raw[64]);
    recovered = nobleSig.recoverPublicKey(hash).toBytes(true);
  } catch {
    throw new CipherError("invalid signature: public key cannot be recovered");
  }
  // Recovery solves the verification equation for the key, so a match proves the signature; a
  // second full ECDSA verify (as Go does) would double the cost on small boards for nothing.
  if (!PubKey.fromBytes(recovered).equals(pk)) {
    throw new CipherError("invalid signature: recovered public key does not match");
  }
}
