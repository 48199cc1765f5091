import type { ByteStream } from "../conn/mod.ts";
import { SessionClosedError } from "./errors.ts";

// The connection read buffer grows when a read fills it, i.e. when bulk data is flowing (64 KiB
// measured ~1.5x the throughput of 16 KiB), and drops back to the idle size once the session is
// quiet, so idle sessions hold little memory. `fill(n)` accepts n up to the small size.
const READ_BUFFER_SMALL = 16 * 1024;
const READ_BUFFER_LARGE = 64 * 1024;
// While the session is quiet it waits for the next frame with a buffer this small; a read that
// fills it brings the large one back.
const READ_BUFFER_IDLE = 256;
// Quiet means this many reads in a row smaller than the idle buffer. One is not enough: a Go
// peer writes each frame's header and body separately, so a bulk flow now and then yields a
// lone 12-byte read, and dropping the large buffer then cost two allocations to grow it back.
const QUIET_READS = 2;

/**
 * Buffered reads from the session's connection. Every method that needs more bytes than are
 * buffered reads the connection; nothing here allocates from a length the caller did not check.
 */
export class FrameReader {
  readonly #conn: ByteStream;
  #deferred: Array<() => void> = [];
  /** Buffered bytes live in `buffer[start, end)`; the array is replaced when it grows. */
  buffer = new Uint8Array(READ_BUFFER_IDLE);
  /** Offset of the first unconsumed byte in `buffer`. */
  start = 0;
  #end = 0;
  #smallReads = QUIET_READS;

  /** Read from `conn`. */
  constructor(conn: ByteStream) {
    this.#conn = conn;
  }

  /**
   * Run `task` before the next read of the connection, i.e. once the frames already buffered
   * are handled (a splice moves a whole read's worth of frames in one frame this way).
   */
  defer(task: () => void): void {
    this.#deferred.push(task);
  }

  /** Bytes buffered and not yet consumed. */
  get buffered(): number {
    return this.#end - this.start;
  }

  /** Largest `n` that {@linkcode fill} accepts. */
  get capacity(): number {
    return READ_BUFFER_SMALL;
  }

  /**
   * Make at least `n` (<= capacity) bytes available. Resolves `false` when the connection ended
   * cleanly with nothing buffered; throws {@linkcode SessionClosedError} when it ended mid-frame
   * or the read failed.
   */
  async fill(n: number): Promise<boolean> {
    if (this.#end - this.start >= n) return true;
    if (this.start === this.#end) {
      this.start = 0;
      this.#end = 0;
      if (this.#smallReads >= QUIET_READS && n <= READ_BUFFER_IDLE) {
        if (this.buffer.length !== READ_BUFFER_IDLE) this.buffer = new Uint8Array(READ_BUFFER_IDLE);
      } else if (this.buffer.length < READ_BUFFER_SMALL) {
        this.buffer = new Uint8Array(READ_BUFFER_SMALL);
      }
    } else if (this.buffer.length < Math.max(n, READ_BUFFER_SMALL)) {
      this.#grow(READ_BUFFER_SMALL);
    } else if (this.buffer.length - this.start < n || this.buffer.length - this.#end < 4096) {
      this.buffer.copyWithin(0, this.start, this.#end);
      this.#end -= this.start;
      this.start = 0;
    }
    while (this.#end - this.start < n) {
      const space = this.buffer.length - this.#end;
      const count = await this.#read(this.buffer.subarray(this.#end));
      if (count === null) {
        if (this.#end === this.start) return false;
        throw new SessionClosedError("connection closed by peer in the middle of a frame");
      }
      this.#end += count;
      this.#smallReads = count < READ_BUFFER_IDLE ? this.#smallReads + 1 : 0;
      if (count === space && this.buffer.length < READ_BUFFER_LARGE) {
        this.#grow(this.buffer.length < READ_BUFFER_SMALL ? READ_BUFFER_SMALL : READ_BUFFER_LARGE);
      }
    }
    return true;
  }

  /** View of the next `n` buffered bytes (valid until the next fill); consumes them. */
  take(n: number): Uint8Array {
    const view = this.buffer.subarray(this.start, this.start + n);
    this.start += n;
    return view;
  }

  /** Fill all of `dst`: buffered bytes first, then straight from the connection. */
  async readInto(dst: Uint8Array): Promise<void> {
    let off = Math.min(this.buffered, dst.length);
    dst.set(this.take(off));
    while (off < dst.length) {
      const count = await this.#read(dst.subarray(off));
      if (count === null) {
        throw new SessionClosedError("connection closed by peer in the middle of a frame");
      }
      off += count;
    }
  }

  /** Consume and drop `n` bytes without allocating; a promise only when it must read. */
  skip(n: number): Promise<void> | undefined {
    if (n > this.buffered) return this.#skipReading(n);
    this.start += n;
  }

  async #skipReading(n: number): Promise<void> {
    for (;;) {
      const step = Math.min(n, this.buffered);
      this.start += step;
      n -= step;
      if (n === 0) return;
      if (!(await this.fill(1))) {
        throw new SessionClosedError("connection closed by peer in the middle of a frame");
      }
    }
  }

  #grow(size: number): void {
    const larger = new Uint8Array(size);
    larger.set(this.buffer.subarray(this.start, this.#end));
    this.#end -= this.start;
    this.start = 0;
    this.buffer = larger;
  }

  async #read(p: Uint8Array): Promise<number | null> {
    if (this.#deferred.length > 0) {
      const tasks = this.#deferred;
      this.#deferred = [];
      for (const task of tasks) task();
    }
    try {
      return await this.#conn.read(p);
    } catch (cause) {
      throw new SessionClosedError("connection read failed", { cause });
    }
  }
}
