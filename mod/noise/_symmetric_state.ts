import { hmacSha256, sha256 } from "../cipher/mod.ts";
import type { Aead } from "./aead.ts";
import { TAG_SIZE } from "./constants.ts";

const HASH_LEN = 32;
const EMPTY = new Uint8Array(0);

const ONE = Uint8Array.of(1);
const TWO = Uint8Array.of(2);

/**
 * Noise HKDF (spec §4.3) with two outputs, the only arity XK and KK need. HMAC through libcrypto
 * (cipher's hmacSha256): three one-shot calls, where noble's JS HMAC ran cold in a one-shot
 * process (a few ms of the two handshakes of `dmsg curl`).
 */
function hkdf2(chainingKey: Uint8Array, inputKeyMaterial: Uint8Array): [Uint8Array, Uint8Array] {
  const tempKey = hmacSha256(chainingKey, inputKeyMaterial);
  const out1 = hmacSha256(tempKey, ONE);
  const out2 = hmacSha256(tempKey, out1, TWO);
  return [out1, out2];
}

/** The 12-byte ChaCha20-Poly1305 nonce Noise uses: 4 zero bytes then the counter as LE64. */
export function noiseNonce(n: bigint, out: Uint8Array = new Uint8Array(12)): Uint8Array {
  new DataView(out.buffer, out.byteOffset, 12).setBigUint64(4, n, true);
  return out;
}

/**
 * Noise's SymmetricState (spec §5.2) for the handshake: chaining key, handshake hash and the
 * handshake CipherState. Copyable, so a failed read can be discarded without touching the
 * state it started from.
 */
export class SymmetricState {
  #aead: Aead;
  #chainingKey: Uint8Array;
  #hash: Uint8Array;
  #key: Uint8Array | null = null;
  #nonce = 0n;

  /** Start from the protocol name, e.g. `Noise_XK_Secp256k1_ChaChaPoly_SHA256`. */
  constructor(aead: Aead, protocolName: string | SymmetricState) {
    this.#aead = aead;
    if (protocolName instanceof SymmetricState) {
      this.#chainingKey = protocolName.#chainingKey;
      this.#hash = protocolName.#hash;
      this.#key = protocolName.#key;
      this.#nonce = protocolName.#nonce;
      return;
    }
    const name = new TextEncoder().encode(protocolName);
    const h = new Uint8Array(HASH_LEN);
    if (name.length <= HASH_LEN) h.set(name);
    else h.set(sha256(name));
    this.#hash = h;
    this.#chainingKey = h;
  }

  /** An independent copy (all fields are replaced, never mutated, so sharing bytes is safe). */
  clone(): SymmetricState {
    return new SymmetricState(this.#aead, this);
  }

  /** The handshake hash `h` (the channel binding once the handshake is done). */
  get handshakeHash(): Uint8Array {
    return this.#hash;
  }

  /** `h = SHA-256(h ‖ data)`. */
  mixHash(data: Uint8Array): void {
    this.#hash = sha256(this.#hash, data);
  }

  /** `ck, k = HKDF(ck, dhOutput)`; resets the handshake nonce. */
  mixKey(dhOutput: Uint8Array): void {
    const [chainingKey, key] = hkdf2(this.#chainingKey, dhOutput);
    this.#chainingKey = chainingKey;
    this.#key = key;
    this.#nonce = 0n;
  }

  /** Whether a key has been mixed in (then payloads and static keys are encrypted). */
  get hasKey(): boolean {
    return this.#key !== null;
  }

  /** Encrypt with `h` as associated data (or pass through before any key), then mix the result. */
  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    if (this.#key === null) {
      this.mixHash(plaintext);
      return plaintext;
    }
    const sealed = new Uint8Array(plaintext.length + TAG_SIZE);
    this.#aead.seal(this.#key, noiseNonce(this.#nonce), plaintext, this.#hash, sealed);
    this.#nonce++;
    this.mixHash(sealed);
    return sealed;
  }

  /** Decrypt with `h` as associated data; throws `NoiseDecryptError` on a bad tag. */
  decryptAndHash(data: Uint8Array): Uint8Array {
    if (this.#key === null) {
      this.mixHash(data);
      return data;
    }
    const plaintext = this.#aead.open(this.#key, noiseNonce(this.#nonce), data, this.#hash);
    this.#nonce++;
    this.mixHash(data);
    return plaintext;
  }

  /** The two transport keys `(k1, k2) = HKDF(ck, "")`. */
  split(): [Uint8Array, Uint8Array] {
    return hkdf2(this.#chainingKey, EMPTY);
  }
}
