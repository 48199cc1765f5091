/** Which secp256k1 implementation to use; `"auto"` picks the fastest one that works. */
export type Secp256k1Choice = "ffi" | "node" | "noble" | "auto";

/**
 * The secp256k1 operations Skywire needs, behind one small interface so the native and the
 * pure-JS implementations are interchangeable and can be compared byte for byte. Inputs are
 * checked by the callers (`PubKey`, `SecKey`, `Sig`): keys are valid, recovery ids below 4.
 */
export interface Secp256k1Backend {
  /**
   * `"ffi"` (the system's libsecp256k1), `"node"` (native `node:crypto`) or `"noble"`
   * (`@noble/curves`).
   */
  readonly name: "ffi" | "node" | "noble";
  /** Whether `bytes` is a compressed point on the curve (33 bytes, prefix 2 or 3). */
  isValidPoint(bytes: Uint8Array): boolean;
  /** The compressed public key of a valid secret key. */
  publicKey(sk: Uint8Array): Uint8Array;
  /** The compressed point `sk·pk` (33 bytes). */
  sharedPoint(sk: Uint8Array, pk: Uint8Array): Uint8Array;
  /** ECDSA over a 32-byte `hash`: RFC 6979 nonce, low S, as `R(32)‖S(32)‖recid(1)`. */
  sign(hash: Uint8Array, sk: Uint8Array): Uint8Array;
  /**
   * Whether the key recovered from `sig` (`R‖S‖recid`, recid < 4) over `hash` is `pk`:
   * `"match"`, `"mismatch"` (another key), or `"unrecoverable"` (R or S out of range, no point
   * R with that x, or the point at infinity).
   */
  recover(sig: Uint8Array, hash: Uint8Array, pk: Uint8Array): RecoveryResult;
}

/** The outcome of checking a recoverable signature against a key. */
export type RecoveryResult = "match" | "mismatch" | "unrecoverable";
