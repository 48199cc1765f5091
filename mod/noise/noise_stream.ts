import type { ByteStream } from "../conn/mod.ts";
import { writeAll } from "../conn/mod.ts";
import type { PubKey } from "../cipher/mod.ts";
import type { ReceiveCipher, SendCipher } from "./cipher_state.ts";
import {
  FRAME_OVERHEAD,
  FRAME_PREFIX_SIZE,
  MAX_FRAME_LENGTH,
  MAX_FRAME_PLAINTEXT,
  MAX_FRAME_SIZE,
} from "./constants.ts";
import { NoiseError, NoiseFrameError } from "./errors.ts";
import type { TransportKeys } from "./handshake.ts";

/**
 * Read buffer: room for 16 whole frames, so one read of the inner stream yields several (a bulk
 * download through a relay reads ~36 KiB at a time; with 4 frames' room it took three times
 * the reads, each a round through the stream layers below).
 */
const READ_BUFFER_SIZE = 16 * MAX_FRAME_SIZE;
/**
 * Read buffer while the stream is quiet (two reads in a row smaller than this): an idle session
 * or stream waits for its next bytes with this much memory instead of the full buffer, which
 * comes back with the first read that fills the small one or leaves part of a frame. One small
 * read is not enough: a bulk flow yields one now and then, and each drop and regrowth cost two
 * allocations.
 */
const IDLE_READ_SIZE = 512;
const QUIET_READS = 2;
/**
 * Frames sealed into one buffer before it is written to the inner stream: enough for a 64 KiB
 * write (17 frames, 65,978 bytes) to leave in one inner write instead of a full batch and a
 * 442-byte straggler, each a separate yamux frame and syscall.
 */
const WRITE_BATCH_SIZE = Math.ceil(65_536 / MAX_FRAME_PLAINTEXT) * MAX_FRAME_SIZE;
const EMPTY = new Uint8Array(0);

/**
 * A {@linkcode ByteStream} encrypted with the transport keys of a finished handshake, in dmsg's
 * framing: `len(2, BE) ‖ nonce(8, BE) ‖ ciphertext ‖ tag(16)`, at most 4096 bytes a frame.
 *
 * - `write` splits data into frames of at most 4070 plaintext bytes and writes them in batches
 *   (one inner write per 16 frames). Concurrent writes are queued, never interleaved.
 * - `read` decrypts frames in order; each nonce must be greater than the last. It fills `p`
 *   with every whole frame already buffered (one call, not one per frame); plaintext that does
 *   not fit `p` is kept for the next read.
 * - A malformed, tampered or out-of-order frame rejects the read with a `NoiseError`
 *   (`NoiseFrameError`, `NoiseDecryptError`, `NoiseNonceError`) and closes the stream; later
 *   reads throw the same error.
 * - The stream owns `inner` from construction: `close` closes it, `closeWrite` half-closes it
 *   (or closes it if it cannot half-close). After `close`, reads end (`null`) even when
 *   decrypted bytes were still waiting to be read.
 */
export class NoiseStream implements ByteStream {
  /** The peer's static public key, as authenticated by the handshake. */
  readonly remoteStatic: PubKey;
  readonly #inner: ByteStream;
  readonly #send: SendCipher;
  readonly #receive: ReceiveCipher;

  // Frames are decrypted in place: pending plaintext may be a view of `#raw`, which is why it is
  // always drained before `#fill` moves or replaces the buffer.
  #raw = new Uint8Array(IDLE_READ_SIZE);
  #rawStart = 0;
  #rawEnd = 0;
  #smallReads = QUIET_READS;
  #pending: Uint8Array = EMPTY;
  #readEnded = false;
  #readError: unknown;
  #readQueue: Promise<unknown> = Promise.resolve();

  #writeError: unknown;
  #writeQueue: Promise<unknown> = Promise.resolve();
  #closed = false;

  /** Wrap `inner` (which this stream now owns) with the keys from `performHandshake` or a `Handshake`. */
  constructor(inner: ByteStream, keys: TransportKeys) {
    this.#inner = inner;
    this.#send = keys.send;
    this.#receive = keys.receive;
    this.remoteStatic = keys.remoteStatic;
  }

  /** Read decrypted bytes into `p`; `null` at the end of the stream. */
  read(p: Uint8Array): Promise<number | null> {
    const result = this.#readQueue.then(() => this.#read(p));
    this.#readQueue = result.catch(() => {});
    return result;
  }

  /** Encrypt and write all of `p`; resolves to `p.length`. */
  write(p: Uint8Array): Promise<number> {
    const result = this.#writeQueue.then(() => this.#write(p));
    this.#writeQueue = result.catch(() => {});
    return result;
  }

  /** Close this stream and the inner one. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending = EMPTY;
    try {
      this.#inner.close();
    } catch {
      // Already closed by its other user; nothing left to release.
    }
  }

  /** After queued writes finish, half-close the inner stream (or close it if it cannot). */
  async closeWrite(): Promise<void> {
    await this.#writeQueue;
    if (this.#closed) return;
    if (this.#inner.closeWrite) await this.#inner.closeWrite();
    else this.close();
  }

  async #read(p: Uint8Array): Promise<number | null> {
    if (this.#readError !== undefined) throw this.#readError;
    // Closed means released: plaintext decrypted but not read yet is dropped, not handed out.
    if (this.#closed) return null;
    if (this.#pending.length > 0) return this.#takeBuffered(p);
    if (this.#readEnded) return null;
    if (p.length === 0) return 0;
    for (;;) {
      let body: Uint8Array | null;
      try {
        body = await this.#nextFrameBody();
      } catch (error) {
        if (this.#closed && !(error instanceof NoiseError)) return null; // we closed it under the read
        throw error;
      }
      if (body === null) {
        this.#readEnded = true;
        return null;
      }
      if (this.#closed) return null; // closed while the frame was on its way
      let plaintext: Uint8Array;
      try {
        plaintext = this.#receive.openOrdered(body, true);
      } catch (error) {
        throw this.#failRead(error);
      }
      if (plaintext.length === 0) continue; // Go skips empty frames too
      this.#pending = plaintext;
      return this.#takeBuffered(p);
    }
  }

  // Fill `p` from the pending plaintext, then from whole frames already in the read buffer, with
  // no further await. A bad frame met here is recorded for the next read (this one has bytes).
  #takeBuffered(p: Uint8Array): number {
    let n = this.#takePending(p);
    while (n < p.length && this.#pending.length === 0 && !this.#closed) {
      try {
        const body = this.#bufferedFrameBody();
        if (body === undefined) break;
        this.#pending = this.#receive.openOrdered(body, true);
      } catch (error) {
        if (this.#readError === undefined) this.#failRead(error);
        break;
      }
      n += this.#takePending(p.subarray(n));
    }
    return n;
  }

  #takePending(p: Uint8Array): number {
    const n = Math.min(p.length, this.#pending.length);
    p.set(n === this.#pending.length ? this.#pending : this.#pending.subarray(0, n));
    this.#pending = n === this.#pending.length ? EMPTY : this.#pending.subarray(n);
    return n;
  }

  // The body (nonce ‖ ciphertext ‖ tag) of the next frame, as a view into the read buffer that
  // stays valid until the next fill; null at a clean end of stream (between frames).
  async #nextFrameBody(): Promise<Uint8Array | null> {
    for (;;) {
      const body = this.#bufferedFrameBody();
      if (body !== undefined) return body;
      if (!(await this.#fill())) {
        if (this.#rawEnd === this.#rawStart) return null;
        const where = this.#rawEnd - this.#rawStart < FRAME_PREFIX_SIZE ? "frame prefix" : "frame";
        throw this.#failRead(new NoiseFrameError(`noise: stream ended inside a ${where}`));
      }
    }
  }

  // The next frame's body if the whole frame is buffered (consumed), undefined if not yet;
  // throws (and fails the stream) on a length no frame may have.
  #bufferedFrameBody(): Uint8Array | undefined {
    const available = this.#rawEnd - this.#rawStart;
    if (available < FRAME_PREFIX_SIZE) return undefined;
    const raw = this.#raw;
    const length = (raw[this.#rawStart] << 8) | raw[this.#rawStart + 1];
    if (length > MAX_FRAME_LENGTH || length < FRAME_OVERHEAD) {
      throw this.#failRead(
        new NoiseFrameError(
          `noise: frame length ${length} outside ${FRAME_OVERHEAD}..${MAX_FRAME_LENGTH}`,
        ),
      );
    }
    if (available < FRAME_PREFIX_SIZE + length) return undefined;
    const bodyStart = this.#rawStart + FRAME_PREFIX_SIZE;
    this.#rawStart = bodyStart + length;
    return raw.subarray(bodyStart, bodyStart + length);
  }

  // Read more bytes from the inner stream; false at its end.
  async #fill(): Promise<boolean> {
    const buffered = this.#rawEnd - this.#rawStart;
    if (buffered === 0) {
      this.#rawStart = this.#rawEnd = 0;
      const size = this.#smallReads >= QUIET_READS ? IDLE_READ_SIZE : READ_BUFFER_SIZE;
      if (this.#raw.length !== size) this.#raw = new Uint8Array(size);
    } else if (this.#raw.length < READ_BUFFER_SIZE) {
      // Part of a frame in the small buffer: the rest may not fit, so take the full one.
      const larger = new Uint8Array(READ_BUFFER_SIZE);
      larger.set(this.#raw.subarray(this.#rawStart, this.#rawEnd));
      this.#raw = larger;
      this.#rawStart = 0;
      this.#rawEnd = buffered;
    } else if (this.#raw.length - this.#rawEnd < MAX_FRAME_SIZE) {
      // Keep room for a whole frame at the tail; the buffer holds at least one frame plus a prefix.
      this.#raw.copyWithin(0, this.#rawStart, this.#rawEnd);
      this.#rawEnd -= this.#rawStart;
      this.#rawStart = 0;
    }
    const n = await this.#inner.read(this.#raw.subarray(this.#rawEnd));
    if (n === null) return false;
    this.#rawEnd += n;
    this.#smallReads = n < IDLE_READ_SIZE ? this.#smallReads + 1 : 0;
    return true;
  }

  #failRead(error: unknown): unknown {
    this.#readError = error;
    this.close();
    return error;
  }

  async #write(p: Uint8Array): Promise<number> {
    if (this.#writeError !== undefined) throw this.#writeError;
    if (this.#closed) throw new NoiseError("noise: stream is closed");
    if (p.length === 0) return 0;
    const frames = Math.ceil(p.length / MAX_FRAME_PLAINTEXT);
    const framedSize = p.length + frames * (FRAME_PREFIX_SIZE + FRAME_OVERHEAD);
    // One buffer per call (not per frame), sized to the data; large writes reuse it per batch.
    const batch = new Uint8Array(Math.min(framedSize, WRITE_BATCH_SIZE));
    let used = 0;
    try {
      for (let offset = 0; offset < p.length;) {
        const chunk = Math.min(MAX_FRAME_PLAINTEXT, p.length - offset);
        if (used + chunk + FRAME_PREFIX_SIZE + FRAME_OVERHEAD > batch.length) {
          await writeAll(this.#inner, batch.subarray(0, used));
          used = 0;
        }
        used += this.#send.sealFrameInto(p.subarray(offset, offset + chunk), batch, used);
        offset += chunk;
      }
      await writeAll(this.#inner, batch.subarray(0, used));
    } catch (error) {
      // A partly written frame cannot be recovered: the stream can no longer be written.
      this.#writeError = error;
      throw error;
    }
    return p.length;
  }
}
