import type { ByteStream } from "../conn/mod.ts";
import { readFull, readFullOrEof, UnexpectedEofError } from "../conn/mod.ts";
import type { ReceiveCipher, SendCipher } from "./cipher_state.ts";
import { FRAME_OVERHEAD, FRAME_PREFIX_SIZE, MAX_OBJECT_PLAINTEXT } from "./constants.ts";
import { NoiseFrameError } from "./errors.ts";
import type { TransportKeys } from "./handshake.ts";
import { NonceWindow } from "./nonce_window.ts";

/**
 * Encrypts and decrypts dmsg session objects (signed stream requests and responses) with a
 * session's XK transport keys. Each object is one frame `len(2, BE) ‖ nonce(8, BE) ‖
 * ciphertext ‖ tag`, written on whichever mux stream it concerns, so objects from concurrent
 * streams can arrive out of order: received nonces go through a {@linkcode NonceWindow}
 * instead of the strict ordering of `NoiseStream`.
 *
 * Differences from the Go reference: the 2023/2024 code (`DecryptWithNonceMap`) looks nonces up
 * in a map that nothing ever writes to, so it rejects no replay at all; the 2026 code uses a
 * 1024 window, as here. Objects are bounded by the 16-bit prefix (Go does not apply the
 * 4094-byte transport-frame limit to them).
 */
export class SessionObjectCipher {
  /** The replay window of received object nonces. */
  readonly window: NonceWindow = new NonceWindow();
  readonly #send: SendCipher;
  readonly #receive: ReceiveCipher;

  /** Use the session's transport keys (they must not also drive a `NoiseStream`). */
  constructor(keys: TransportKeys) {
    this.#send = keys.send;
    this.#receive = keys.receive;
  }

  /** Encrypt one object into its framed form, ready to write to a mux stream. */
  encryptObject(plaintext: Uint8Array): Uint8Array {
    if (plaintext.length > MAX_OBJECT_PLAINTEXT) {
      throw new NoiseFrameError(
        `noise: object of ${plaintext.length} bytes exceeds ${MAX_OBJECT_PLAINTEXT}`,
      );
    }
    return this.#send.sealFrame(plaintext);
  }

  /**
   * Decrypt one framed object (`len ‖ nonce ‖ ciphertext ‖ tag`, exactly as many bytes as the
   * prefix says). Throws `NoiseFrameError`, `NoiseNonceError` or `NoiseDecryptError`; a
   * rejected object leaves the window unchanged.
   */
  decryptObject(frame: Uint8Array): Uint8Array {
    if (frame.length < FRAME_PREFIX_SIZE) {
      throw new NoiseFrameError("noise: object shorter than its prefix");
    }
    const length = (frame[0] << 8) | frame[1];
    if (frame.length !== FRAME_PREFIX_SIZE + length) {
      throw new NoiseFrameError(
        `noise: object prefix says ${length} bytes but ${frame.length - FRAME_PREFIX_SIZE} follow`,
      );
    }
    if (length < FRAME_OVERHEAD) {
      throw new NoiseFrameError(`noise: object of ${length} bytes is too short`);
    }
    return this.#receive.openWindowed(frame.subarray(FRAME_PREFIX_SIZE), this.window);
  }

  /**
   * Read exactly one framed object from `stream` (never a byte more) and decrypt it. Resolves
   * `null` if the stream ends cleanly before the object (a dmsg peer with no listener closes the
   * stream without answering); throws `NoiseFrameError` if it ends inside one.
   */
  async readObject(stream: Pick<ByteStream, "read">): Promise<Uint8Array | null> {
    const prefix = new Uint8Array(FRAME_PREFIX_SIZE);
    try {
      if (!(await readFullOrEof(stream, prefix))) return null;
      const length = (prefix[0] << 8) | prefix[1];
      if (length < FRAME_OVERHEAD) {
        throw new NoiseFrameError(`noise: object of ${length} bytes is too short`);
      }
      // Bounded by the 16-bit prefix: at most 64 KiB.
      const frame = new Uint8Array(FRAME_PREFIX_SIZE + length);
      frame.set(prefix);
      await readFull(stream, frame.subarray(FRAME_PREFIX_SIZE));
      return this.decryptObject(frame);
    } catch (error) {
      if (!(error instanceof UnexpectedEofError)) throw error;
      throw new NoiseFrameError("noise: stream ended inside a session object", { cause: error });
    }
  }
}
