import { CipherError } from "./errors.ts";
import { sha256 } from "./hash.ts";
import type { PubKey } from "./pub_key.ts";
import type { SecKey } from "./sec_key.ts";
import { getSecp256k1 } from "./get_secp256k1.ts";
import type { Secp256k1Backend } from "./secp256k1.ts";
import { Sig } from "./sig.ts";

/**
 * Sign `payload` as Skywire does: ECDSA over SHA-256(payload), low-S, with the recovery id in
 * the last byte. (Go uses a random nonce; we use RFC 6979, which verifies the same.) `backend`
 * defaults to the automatic choice; every backend gives the same bytes.
 */
export function signPayload(
  payload: Uint8Array,
  sk: SecKey,
  backend: Secp256k1Backend = getSecp256k1(),
): Sig {
  return Sig.fromBytes(backend.sign(sha256(payload), sk.view));
}

/**
 * Verify that `sig` over SHA-256(`payload`) was made by `pk`, with Go's rules: a signature whose
 * S has its top bit set (malleable) or whose recovery id is 4 or more is rejected, and the key
 * recovered from the signature must equal `pk`. Throws {@linkcode CipherError} on failure.
 * Recovery solves the verification equation for the key, so a match proves the signature; a
 * second full ECDSA verify (as Go does) would double the cost on small boards for nothing.
 */
export function verifyPubKeySignedPayload(
  pk: PubKey,
  sig: Sig,
  payload: Uint8Array,
  backend: Secp256k1Backend = getSecp256k1(),
): void {
  if (pk.isNull()) throw new CipherError("invalid public key: null");
  const raw = sig.view;
  if (raw[32] >> 7 === 1) throw new CipherError("invalid signature: high S (malleable)");
  if (raw[64] >= 4) throw new CipherError("invalid signature: recovery id out of range");
  const result = backend.recover(raw, sha256(payload), pk.view);
  if (result === "unrecoverable") {
    throw new CipherError("invalid signature: public key cannot be recovered");
  }
  if (result === "mismatch") {
    throw new CipherError("invalid signature: recovered public key does not match");
  }
}
