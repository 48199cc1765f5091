import type { Aead } from "./aead.ts";
import { FRAME_OVERHEAD, FRAME_PREFIX_SIZE, NONCE_SIZE, TAG_SIZE } from "./constants.ts";
import { NoiseFrameError, NoiseNonceError } from "./errors.ts";
import type { NonceWindow } from "./nonce_window.ts";

const EMPTY = new Uint8Array(0);
const MAX_UINT32 = 0xffff_ffff;

/** The explicit nonce at the start of a frame body (`nonce(8, BE) ‖ ciphertext ‖ tag`). */
export function frameNonce(body: Uint8Array): bigint {
  if (body.length < NONCE_SIZE) throw new NoiseFrameError("noise: frame shorter than its nonce");
  return new DataView(body.buffer, body.byteOffset, NONCE_SIZE).getBigUint64(0, false);
}

// Per-frame nonces are kept as two 32-bit halves rather than a bigint: a bigint per frame is a
// heap allocation, and a DataView per frame another.
function uint32At(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

function putUint32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = (value >>> 16) & 0xff;
  bytes[at + 2] = (value >>> 8) & 0xff;
  bytes[at + 3] = value & 0xff;
}

function toBigInt(high: number, low: number): bigint {
  return (BigInt(high) << 32n) | BigInt(low);
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
  #high = 0;
  #low = 0;

  /** Wrap a 32-byte transport key. */
  constructor(key: Uint8Array, aead: Aead) {
    this.#key = key;
    this.#aead = aead;
  }

  /** The nonce of the last frame sealed (0 before the first). */
  get lastNonce(): bigint {
    return toBigInt(this.#high, this.#low);
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
    if (this.#low === MAX_UINT32) {
      if (this.#high === MAX_UINT32) throw new NoiseNonceError("noise: send nonce exhausted");
      this.#high++;
      this.#low = 0;
    } else {
      this.#low++;
    }
    out[offset] = bodyLength >>> 8;
    out[offset + 1] = bodyLength & 0xff;
    putUint32(out, offset + FRAME_PREFIX_SIZE, this.#high);
    putUint32(out, offset + FRAME_PREFIX_SIZE + 4, this.#low);
    const nonce = this.#aeadNonce;
    for (let i = 0; i < NONCE_SIZE; i++) nonce[4 + i] = out[offset + FRAME_PREFIX_SIZE + 7 - i];
    const sealedStart = offset + FRAME_PREFIX_SIZE + NONCE_SIZE;
    const sealed = out.subarray(sealedStart, sealedStart + plaintext.length + TAG_SIZE);
    this.#aead.seal(this.#key, nonce, plaintext, EMPTY, sealed);
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
  #lastHigh = 0;
  #lastLow = 0;

  /** Wrap a 32-byte transport key. */
  constructor(key: Uint8Array, aead: Aead) {
    this.#key = key;
    this.#aead = aead;
  }

  /** The highest nonce accepted by {@linkcode ReceiveCipher.openOrdered} (0 before any). */
  get lastNonce(): bigint {
    return toBigInt(this.#lastHigh, this.#lastLow);
  }

  /**
   * Open a frame body `nonce ‖ ciphertext ‖ tag` whose nonce must be greater than the last one
   * accepted. Throws `NoiseFrameError` (too short), `NoiseNonceError` (not increasing) or
   * `NoiseDecryptError` (tampered); only an authentic frame advances the nonce. `inPlace`: the
   * plaintext may be decrypted into `body`'s own bytes and returned as a view of it (when the
   * backend can), for a caller that is done with the frame; a failure then leaves them garbled.
   */
  openOrdered(body: Uint8Array, inPlace = false): Uint8Array {
    if (body.length < NONCE_SIZE) throw new NoiseFrameError("noise: frame shorter than its nonce");
    const high = uint32At(body, 0), low = uint32At(body, 4);
    if (high < this.#lastHigh || (high === this.#lastHigh && low <= this.#lastLow)) {
      throw new NoiseNonceError(
        `noise: received nonce ${
          toBigInt(high, low)
        } is not larger than previous ${this.lastNonce}`,
      );
    }
    const plaintext = this.#open(body, inPlace);
    this.#lastHigh = high;
    this.#lastLow = low;
    return plaintext;
  }

  /**
   * Open a frame body whose nonce must be acceptable to `window` (not zero, not repeated, not
   * older than the window); the nonce is recorded only once the frame authenticates.
   */
  openWindowed(body: Uint8Array, window: NonceWindow): Uint8Array {
    const nonce = frameNonce(body);
    window.check(nonce);
    const plaintext = this.#open(body);
    window.commit(nonce);
    return plaintext;
  }

  // The AEAD nonce is the frame's big-endian nonce, little-endian after 4 zero bytes.
  #open(body: Uint8Array, inPlace = false): Uint8Array {
    if (body.length < FRAME_OVERHEAD) {
      throw new NoiseFrameError("noise: frame shorter than nonce and tag");
    }
    const nonce = this.#aeadNonce;
    for (let i = 0; i < NONCE_SIZE; i++) nonce[4 + i] = body[7 - i];
    const sealed = body.subarray(NONCE_SIZE);
    const aead = this.#aead;
    if (inPlace && aead.openInPlace) return aead.openInPlace(this.#key, nonce, sealed, EMPTY);
    return aead.open(this.#key, nonce, sealed, EMPTY);
  }
}
