/**
 * Skywire's secp256k1 identities: 33-byte compressed public keys, 32-byte secret keys,
 * 65-byte recoverable signatures (`R‖S‖recid`), Skywire ECDH and deterministic transport ids.
 *
 * The curve arithmetic runs on the system's libsecp256k1 (over FFI) when it is installed, may be
 * opened and passes a known-answer self-test, else on the runtime's native `node:crypto` when it
 * has secp256k1 and passes the same test, otherwise on `@noble/curves`; all give the same bytes
 * and accept and reject the same inputs ({@linkcode getSecp256k1}).
 *
 * @module
 */
export { PubKey } from "./pub_key.ts";
export { SecKey } from "./sec_key.ts";
export { Sig } from "./sig.ts";
export { generateKeyPair, keyPairFromSecKey } from "./key_pair.ts";
export type { KeyPair } from "./key_pair.ts";
export { signPayload, verifyPubKeySignedPayload } from "./sign.ts";
export { ecdh } from "./ecdh.ts";
export {
  getSecp256k1,
  loadSecp256k1,
  secp256k1SelfTest,
  secp256k1Status,
} from "./get_secp256k1.ts";
export type { RecoveryResult, Secp256k1Backend, Secp256k1Choice } from "./secp256k1.ts";
export {
  isTransportIdText,
  makeTransportId,
  sortEdges,
  TRANSPORT_ID_SIZE,
  transportIdFromBytes,
  transportIdToBytes,
} from "./transport_id.ts";
export { CipherError } from "./errors.ts";
export { hmacSha256, sha256, useNativeHashes } from "./hash.ts";
export { nodeCrypto } from "./node_crypto.ts";
export { bytesToHex, hexDigitValue, hexToBytes } from "./hex.ts";
export * as cipherGob from "./gob_types.ts";
