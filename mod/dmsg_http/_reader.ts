import type { ByteStream } from "../conn/mod.ts";
import { HttpParseError } from "./errors.ts";

const LF = 0x0a;
const CR = 0x0d;
const INITIAL_BUFFER_BYTES = 4096;

/**
 * Buffered reads of HTTP/1.1 framing from a byte stream: heads and lines are found in a buffer
 * that grows only up to the limit asked for; body bytes already buffered are handed out first,
 * then reads go straight into the caller's memory (no copy).
 */
export class HttpReader {
  readonly #stream: Pick<ByteStream, "read">;
  readonly #quietRead: ByteStream["read"];
  #buf = new Uint8Array(INITIAL_BUFFER_BYTES);
  #start = 0;
  #end = 0;
  #eof = false;
  #reading = false;

  /**
   * Read HTTP from `stream`; `quietRead` (default: the stream's read) serves
   * {@linkcode waitForData}`(true)`, a wait a watchdog should not count as a stalled read.
   */
  constructor(stream: Pick<ByteStream, "read">, quietRead?: ByteStream["read"]) {
    this.#stream = stream;
    this.#quietRead = quietRead ?? ((p) => stream.read(p));
  }

  /** Bytes read from the stream and not yet handed out. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** Whether the stream has ended (buffered bytes may remain). */
  get ended(): boolean {
    return this.#eof;
  }

  /** Read more into the buffer, growing it up to `limit` bytes of unread data. */
  async #fill(limit: number, quiet = false): Promise<boolean> {
    if (this.#eof) return false;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    if (this.#end === this.#buf.length) {
      const unread = this.#end - this.#start;
      const size = Math.min(Math.max(this.#buf.length * 2, INITIAL_BUFFER_BYTES), limit + 1);
      if (this.#start > 0 && (unread < this.#buf.length / 2 || size <= this.#buf.length)) {
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else if (size > this.#buf.length) {
        const next = new Uint8Array(size);
        next.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = next;
      } else {
        return false;
      }
      this.#start = 0;
      this.#end = unread;
    }
    const target = this.#buf.subarray(this.#end);
    this.#reading = true;
    let n: number | null;
    try {
      n = await (quiet ? this.#quietRead(target) : this.#stream.read(target));
    } finally {
      this.#reading = false;
    }
    if (n === null) {
      this.#eof = true;
      return false;
    }
    this.#end += n;
    return true;
  }

  /**
   * Wait until at least one byte is buffered. Resolves `false` at the end of the stream (used
   * to tell a clean close between requests from a request that never came). `quiet` reads
   * through the quiet read given to the constructor.
   */
  async waitForData(quiet = false): Promise<boolean> {
    while (this.#start === this.#end) {
      if (!(await this.#fill(this.#buf.length, quiet))) return false;
    }
    return true;
  }

  /**
   * Read a message head: everything up to and including the empty line that ends it. Leading
   * empty lines are skipped (RFC 9112 §2.2). Resolves `null` when the stream ends before any
   * byte. The returned view is valid until the next call on this reader.
   */
  async readHead(maxBytes: number, what: string): Promise<Uint8Array | null> {
    // Offsets are relative to #start: #fill may move the unread bytes to the buffer's front.
    let scanFrom = 0;
    let lineFrom = 0;
    for (;;) {
      const start = this.#start;
      const found = this.#buf.subarray(0, this.#end).indexOf(LF, start + scanFrom);
      if (found < 0) {
        scanFrom = this.#end - start;
        if (scanFrom > maxBytes) {
          throw new HttpParseError(`${what} head larger than ${maxBytes} bytes`, 431);
        }
        if (!(await this.#fill(maxBytes))) {
          if (!this.#eof) {
            throw new HttpParseError(`${what} head larger than ${maxBytes} bytes`, 431);
          }
          if (this.#start === this.#end) return null;
          throw new HttpParseError(`stream ended inside the ${what} head`);
        }
        continue;
      }
      const lineStart = start + lineFrom;
      const lineEnd = found > lineStart && this.#buf[found - 1] === CR ? found - 1 : found;
      if (lineEnd === lineStart) {
        if (lineFrom === 0) {
          // An empty line before the start line: skip it.
          this.#start = found + 1;
          scanFrom = lineFrom = 0;
          continue;
        }
        const head = this.#buf.subarray(start, found + 1);
        if (head.length > maxBytes) {
          throw new HttpParseError(`${what} head larger than ${maxBytes} bytes`, 431);
        }
        this.#start = found + 1;
        return head;
      }
      lineFrom = scanFrom = found + 1 - start;
    }
  }

  /**
   * Read one line (without its CRLF or LF) of at most `maxBytes`. The returned view is valid
   * until the next call on this reader.
   */
  async readLine(maxBytes: number, what: string): Promise<Uint8Array> {
    let scanFrom = 0;
    for (;;) {
      const start = this.#start;
      const found = this.#buf.subarray(0, this.#end).indexOf(LF, start + scanFrom);
      if (found >= 0) {
        const end = found > start && this.#buf[found - 1] === CR ? found - 1 : found;
        if (end - start > maxBytes) {
          throw new HttpParseError(`${what} longer than ${maxBytes} bytes`);
        }
        this.#start = found + 1;
        return this.#buf.subarray(start, end);
      }
      scanFrom = this.#end - start;
      if (scanFrom > maxBytes + 1) {
        throw new HttpParseError(`${what} longer than ${maxBytes} bytes`);
      }
      if (!(await this.#fill(maxBytes + 2))) {
        if (this.#eof) throw new HttpParseError(`stream ended inside ${what}`);
        throw new HttpParseError(`${what} longer than ${maxBytes} bytes`);
      }
    }
  }

  /** Read exactly the bytes `expected` (e.g. the CRLF after a chunk). */
  async expect(expected: Uint8Array, what: string): Promise<void> {
    while (this.#end - this.#start < expected.length) {
      if (!(await this.#fill(expected.length))) {
        throw new HttpParseError(`stream ended before ${what}`);
      }
    }
    for (let i = 0; i < expected.length; i++) {
      if (this.#buf[this.#start + i] !== expected[i]) throw new HttpParseError(`bad ${what}`);
    }
    this.#start += expected.length;
  }

  /**
   * Read up to `p.length` bytes into `p`: buffered bytes first, otherwise straight from the
   * stream. Resolves `null` at the end of the stream.
   */
  async readInto(p: Uint8Array): Promise<number | null> {
    if (p.length === 0) return 0;
    const unread = this.#end - this.#start;
    if (unread > 0) {
      const n = Math.min(unread, p.length);
      p.set(this.#buf.subarray(this.#start, this.#start + n));
      this.#start += n;
      if (this.#start === this.#end) this.#start = this.#end = 0;
      return n;
    }
    if (this.#eof) return null;
    const n = await this.#stream.read(p);
    if (n === null) this.#eof = true;
    return n;
  }

  /** Drop the buffer when it grew for a large head, so an idle connection holds little memory. */
  shrink(): void {
    // A read in flight fills the current buffer; it must stay.
    if (this.#reading || this.#buf.length <= INITIAL_BUFFER_BYTES) return;
    const unread = this.#end - this.#start;
    if (unread > INITIAL_BUFFER_BYTES) return;
    const next = new Uint8Array(INITIAL_BUFFER_BYTES);
    next.set(this.#buf.subarray(this.#start, this.#end));
    this.#buf = next;
    this.#start = 0;
    this.#end = unread;
  }
}
