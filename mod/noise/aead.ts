// The interface alone, so the backends can implement it without importing the code that picks
// one of them (get_aead.ts).

/** Which ChaCha20-Poly1305 implementation to use; `"auto"` picks the fastest that works. */
export type AeadChoice = "ffi" | "node" | "noble" | "auto";

/**
 * ChaCha20-Poly1305 (RFC 8439) behind one small interface, so the native and the pure-JS
 * implementations are interchangeable and can be compared byte for byte.
 */
export interface Aead {
  /**
   * `"ffi"` (the system's OpenSSL libcrypto), `"node"` (the runtime's `node:crypto`) or
   * `"noble"` (`@noble/ciphers`, pure JavaScript).
   */
  readonly name: "ffi" | "node" | "noble";
  /**
   * Encrypt `plaintext` under the 32-byte `key` and 12-byte `nonce`, authenticating `ad`, and
   * write `ciphertext ‖ tag` into `out`, which must be exactly `plaintext.length + 16` bytes.
   */
  seal(
    key: Uint8Array,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    ad: Uint8Array,
    out: Uint8Array,
  ): void;
  /**
   * Check and decrypt `ciphertext ‖ tag`; returns the plaintext. Throws
   * {@linkcode NoiseDecryptError} when authentication fails.
   */
  open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, ad: Uint8Array): Uint8Array;
  /**
   * {@linkcode Aead.open}, decrypting into `sealed`'s own bytes: returns the plaintext as a view
   * of `sealed` (no allocation). When it throws, the ciphertext in `sealed` is overwritten.
   * Optional: backends without it are used through `open`.
   */
  openInPlace?(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, ad: Uint8Array): Uint8Array;
}
