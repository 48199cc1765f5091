// Small frames arriving while the reader lags are packed into chunks of this size, so that a
// peer sending 1-byte frames cannot turn a 256 KiB window into megabytes of array headers.
const PACK_CHUNK_SIZE = 16 * 1024;

/**
 * A stream's received-but-unread bytes: a queue of chunks. Only the last chunk may have spare
 * room (packing target); earlier chunks are exact views. Drained buffers hold no memory, except
 * one packing chunk kept for reuse once bytes were appended with `pack` (a splice's stream moves
 * bulk through here: a new chunk per 16 KiB would be an allocation and a zero-fill each).
 */
export class ReceiveBuffer {
  #chunks: Uint8Array[] = [];
  #head = 0; // read offset in chunks[0]
  #tail = 0; // fill offset in the last chunk
  #length = 0;
  #spare: Uint8Array | undefined;
  #reuse = false;

  /** Bytes buffered. */
  get length(): number {
    return this.#length;
  }

  /**
   * Copy `src` in (the caller may reuse `src` afterwards). `pack`: into a shared chunk even
   * when the buffer is empty (for bytes that will be taken in bulk, as a splice does).
   */
  append(src: Uint8Array, pack = false): void {
    const n = src.length;
    if (n === 0) return;
    if (pack) this.#reuse = true;
    const last = this.#chunks.length - 1;
    if (last >= 0 && this.#chunks[last].length - this.#tail >= n) {
      this.#chunks[last].set(src, this.#tail);
      this.#tail += n;
    } else {
      // An empty buffer gets an exact copy: the reader is keeping up, so packing buys nothing.
      const size = this.#length === 0 && !pack ? n : Math.max(n, PACK_CHUNK_SIZE);
      let chunk = this.#spare;
      if (chunk !== undefined && size === PACK_CHUNK_SIZE) this.#spare = undefined;
      else chunk = new Uint8Array(size);
      chunk.set(src);
      this.#push(chunk, n);
    }
    this.#length += n;
  }

  /** Take `chunk` as is (no copy); the caller must not touch it afterwards. */
  appendOwned(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#push(chunk, chunk.length);
    this.#length += chunk.length;
  }

  /** Move up to `p.length` bytes into `p`; returns the count (0 when empty). */
  read(p: Uint8Array): number {
    let copied = 0;
    while (copied < p.length && this.#length > 0) {
      const chunk = this.#chunks[0];
      const end = this.#chunks.length === 1 ? this.#tail : chunk.length;
      const n = Math.min(end - this.#head, p.length - copied);
      p.set(chunk.subarray(this.#head, this.#head + n), copied);
      copied += n;
      this.#head += n;
      this.#length -= n;
      if (this.#head === end) {
        const done = this.#chunks.shift()!;
        if (this.#reuse && done.buffer.byteLength === PACK_CHUNK_SIZE) {
          this.#spare = new Uint8Array(done.buffer, 0, PACK_CHUNK_SIZE);
        }
        this.#head = 0;
        if (this.#chunks.length === 0) this.#tail = 0;
      }
    }
    return copied;
  }

  /** Drop everything. */
  clear(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#tail = 0;
    this.#length = 0;
    this.#spare = undefined;
    this.#reuse = false;
  }

  #push(chunk: Uint8Array, filled: number): void {
    const last = this.#chunks.length - 1;
    // Seal the previous tail at its filled size so only the newest chunk has spare room.
    if (last >= 0) this.#chunks[last] = this.#chunks[last].subarray(0, this.#tail);
    this.#chunks.push(chunk);
    this.#tail = filled;
  }
}
