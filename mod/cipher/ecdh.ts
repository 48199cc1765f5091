import { sha256 } from "./hash.ts";
import type { PubKey } from "./pub_key.ts";
import type { SecKey } from "./sec_key.ts";
import { getSecp256k1 } from "./get_secp256k1.ts";
import type { Secp256k1Backend } from "./secp256k1.ts";

/**
 * Skywire ECDH: SHA-256 of the compressed (33-byte) shared point `sk·pk`; 32 bytes. `backend`
 * defaults to the automatic choice (tests and benchmarks force one).
 */
export function ecdh(
  pk: PubKey,
  sk: SecKey,
  backend: Secp256k1Backend = getSecp256k1(),
): Uint8Array {
  return sha256(backend.sharedPoint(sk.view, pk.view));
}
