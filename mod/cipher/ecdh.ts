import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "./hash.ts";
import type { PubKey } from "./pub_key.ts";
import type { SecKey } from "./sec_key.ts";

/** Skywire ECDH: SHA-256 of the compressed (33-byte) shared point `sk·pk`; 32 bytes. */
export function ecdh(pk: PubKey, sk: SecKey): Uint8Array {
  return sha256(secp256k1.getSharedSecret(sk.view, pk.view, true));
}
