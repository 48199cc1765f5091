import type { Aead } from "./aead.ts";
import { FRAME_OVERHEAD, FRAME_PREFIX_SIZE, NONCE_SIZE, TAG_SIZE } from "./constants.ts";
import { NoiseFrameError, NoiseNonceError } from "./errors.ts";
import type { NonceWindow } from "./nonce_window.ts";
import { noiseNonce } from "./_symmetric_state.ts";

const EMPTY = new Uint8Array(0);
const MAX_NONCE = 0xffff_ffff_ffff_ffffn;

/** The explicit nonce at the start of a frame body (`nonce(8, BE) ‖ ciphertext ‖ tag`). */
export function frameNonce(body: Uint8Array): bigint {
  if (body.length < NONCE_SIZE) throw new NoiseFrameError("noise: frame shorter than its nonce");
  return new DataView(body.buffer, body.byteOffset, NONCE_SIZE).getBigUint64(0, false);
}

/**
 * Our sending direction after a handshake. Each frame uses the next nonce (the first is 1, as
 * Go increments before encrypting) and carries it explicitly, big-endian, in front of the
 * ciphertext; the AEAD nonce is Noise's (4 zero bytes ‖ LE64) and the associated data is empty.
 */
export class SendCipher {
  readonly #key: Uint8Array;
  readonly #aead: Aead;
  readonly #aeadNonce = new Uint8Array(12);
  #nonce = 0n;

  /** Wrap a 32-byte transport key. */
  constructor(key: Uint8Array, aead: Aead) {
    this.#key = key;
    this.#aead = aead;
  }

  /** The nonce of the last frame sealed (0 before the first). */
  get lastNonce(): bigint {
    return this.#nonce;
  }

  /** Which AEAD backend this cipher uses. */
  get aead(): Aead {
    return this.#aead;
  }

  /**
   * Seal `plaintext` as one frame `len(2, BE) ‖ nonce(8, BE) ‖ ciphertext ‖ tag(16)` into `out`
   * at `offset` and return the frame's size (`plaintext.length + 26`). The caller bounds the
   * plaintext (transport frames: `MAX_FRAME_PLAINTEXT`; session objects: `MAX_OBJECT_PLAINTEXT`).
   */
  sealFrameInto(plaintext: Uint8Array, out: Uint8Array, offset: number): number {
    const bodyLength = plaintext.length + FRAME_OVERHEAD;
    if (bodyLength > 0xffff) throw new NoiseFrameError("noise: frame too large for its prefix");
    if (this.#nonce === MAX_NONCE) throw new NoiseNonceError("noise: send nonce exhausted");
    const nonce = ++this.#nonce;
    const view = new DataView(out.buffer, out.byteOffset + offset, FRAME_PREFIX_SIZE + NONCE_SIZE);
    view.setUint16(0, bodyLength, false);
    view.setBigUint64(FRAME_PREFIX_SIZE, nonce, false);
    const sealedStart = offset + FRAME_PREFIX_SIZE + NONCE_SIZE;
    const sealed = out.subarray(sealedStart, sealedStart + plaintext.length + TAG_SIZE);
    this.#aead.seal(this.#key, noiseNonce(nonce, this.#aeadNonce), plaintext, EMPTY, sealed);
    return FRAME_PREFIX_SIZE + bodyLength;
  }

  /** Seal `plaintext` as one frame in a new buffer (see {@linkcode SendCipher.sealFrameInto}). */
  sealFrame(plaintext: Uint8Array): Uint8Array {
    const out = new Uint8Array(FRAME_PREFIX_SIZE + FRAME_OVERHEAD + plaintext.length);
    this.sealFrameInto(plaintext, out, 0);
    return out;
  }
}

/**
 * Our receiving direction after a handshake. Two replay disciplines, matching Go: ordered
 * streams need each nonce strictly above the last ({@linkcode ReceiveCipher.openOrdered});
 * session objects may arrive out of order and go through a {@linkcode NonceWindow}
 * ({@linkcode ReceiveCipher.openWindowed}). Use one discipline per cipher.
 */
export class ReceiveCipher {
  readonly #key: Uint8Array;
  readonly #aead: Aead;
  readonly #aeadNonce = new Uint8Array(12);
  #lastNonce = 0n;

  /** Wrap a 32-byte transport key. */
  constructor(key: Uint8Array, aead: Aead) {
    this.#key = key;
    this.#aead = aead;
  }

  /** The highest nonce accepted by {@linkcode ReceiveCipher.openOrdered} (0 before any). */
  get lastNonce(): bigint {
    return this.#lastNonce;
  }

  /**
   * Open a frame body `nonce ‖ ciphertext ‖ tag` whose nonce must be greater than the last one
   * accepted. Throws `NoiseFrameError` (too short), `NoiseNonceError` (not increasing) or
   * `NoiseDecryptError` (tampered); only an authentic frame advances the nonce.
   */
  openOrdered(body: Uint8Array): Uint8Array {
    const nonce = frameNonce(body);
    if (nonce <= this.#lastNonce) {
      throw new NoiseNonceError(
        `noise: received nonce ${nonce} is not larger than previous ${this.#lastNonce}`,
      );
    }
    const plaintext = this.#open(nonce, body);
    this.#lastNonce = nonce;
    return plaintext;
  }

  /**
   * Open a frame body whose nonce must be acceptable to `window` (not zero, not repeated, not
   * older than the window); the nonce is recorded only once the frame authenticates.
   */
  openWindowed(body: Uint8Array, window: NonceWindow): Uint8Array {
    const nonce = frameNonce(body);
    window.check(nonce);
    const plaintext = this.#open(nonce, body);
    window.commit(nonce);
    return plaintext;
  }

  #open(nonce: bigint, body: Uint8Array): Uint8Array {
    if (body.length < FRAME_OVERHEAD) {
      throw new NoiseFrameError("noise: frame shorter than nonce and tag");
    }
    return this.#aead.open(
      this.#key,
      noiseNonce(nonce, this.#aeadNonce),
      body.subarray(NONCE_SIZE),
      EMPTY,
    );
  }
}
