import type { PubKey } from "./pub_key.ts";
import { SecKey } from "./sec_key.ts";

/** A secret key and its public key. */
export interface KeyPair {
  /** The public key. */
  pk: PubKey;
  /** The secret key. */
  sk: SecKey;
}

/** A fresh random key pair. */
export function generateKeyPair(): KeyPair {
  return keyPairFromSecKey(SecKey.generate());
}

/** The key pair of an existing secret key. */
export function keyPairFromSecKey(sk: SecKey): KeyPair {
  return { pk: sk.pubKey(), sk };
}
