// Small frames arriving while the reader lags are packed into chunks of this size, so that a
// peer sending 1-byte frames cannot turn a 256 KiB window into megabytes of array headers.
const PACK_CHUNK_SIZE = 16 * 1024;
// Drained packing chunks wait here for the next stream that packs, whichever it is: a splice
// moves bulk through its streams' buffers, and a fresh chunk per 16 KiB (an allocation, a
// zero-fill and later a collection each) cost more than the copy itself. Bounded, so that a
// burst leaves at most this many behind for the whole process.
const POOL_LIMIT = 16;
const pool: ArrayBufferLike[] = [];
// Buffers allocated here for packing: only these may go to the pool (an owned chunk belongs to
// whoever allocated it and may share its buffer).
const packed = new WeakSet<ArrayBufferLike>();

function packingChunk(): Uint8Array {
  const spare = pool.pop();
  if (spare !== undefined) return new Uint8Array(spare);
  const chunk = new Uint8Array(PACK_CHUNK_SIZE);
  packed.add(chunk.buffer);
  return chunk;
}

function release(chunk: Uint8Array): void {
  if (pool.length < POOL_LIMIT && packed.has(chunk.buffer)) pool.push(chunk.buffer);
}

/** Packing chunks waiting in the shared pool (for tests). */
export function pooledChunks(): number {
  return pool.length;
}

/**
 * A stream's received-but-unread bytes: a queue of chunks. Only the last chunk may have spare
 * room (packing target); earlier chunks are exact views. Drained buffers hold no memory; their
 * packing chunks go back to a pool shared by all streams.
 */
export class ReceiveBuffer {
  #chunks: Uint8Array[] = [];
  #head = 0; // read offset in chunks[0]
  #tail = 0; // fill offset in the last chunk
  #length = 0;

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
    const last = this.#chunks.length - 1;
    if (last >= 0 && this.#chunks[last].length - this.#tail >= n) {
      this.#chunks[last].set(src, this.#tail);
      this.#tail += n;
    } else {
      // An empty buffer gets an exact copy: the reader is keeping up, so packing buys nothing.
      const size = this.#length === 0 && !pack ? n : Math.max(n, PACK_CHUNK_SIZE);
      const chunk = size === PACK_CHUNK_SIZE ? packingChunk() : new Uint8Array(size);
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
        release(this.#chunks.shift()!);
        this.#head = 0;
        if (this.#chunks.length === 0) this.#tail = 0;
      }
    }
    return copied;
  }

  /** Drop everything. */
  clear(): void {
    for (const chunk of this.#chunks) release(chunk);
    this.#chunks = [];
    this.#head = 0;
    this.#tail = 0;
    this.#length = 0;
  }

  #push(chunk: Uint8Array, filled: number): void {
    const last = this.#chunks.length - 1;
    // Seal the previous tail at its filled size so only the newest chunk has spare room.
    if (last >= 0) this.#chunks[last] = this.#chunks[last].subarray(0, this.#tail);
    this.#chunks.push(chunk);
    this.#tail = filled;
  }
}
