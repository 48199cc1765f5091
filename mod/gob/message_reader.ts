import type { ByteStream } from "../conn/mod.ts";
import { DEFAULT_MAX_MESSAGE_SIZE, type GobDecoder, type PendingValue } from "./decoder.ts";
import { GobError } from "./errors.ts";
import { parseLengthPrefix } from "./_wire.ts";

/** Options for {@linkcode GobMessageReader}. */
export interface GobMessageReaderOptions {
  /** Largest message accepted, in bytes. Default 1 MiB. */
  maxMessageSize?: number;
  /** Initial buffer size; it grows up to what the largest message needs. Default 4 KiB. */
  initialBufferSize?: number;
}

/**
 * Splits a byte stream into gob messages (`uint(length) ‖ body`) with buffered reads. The
 * body returned by {@linkcode next} is a view into the buffer, valid until the next call.
 */
export class GobMessageReader {
  readonly #stream: Pick<ByteStream, "read">;
  readonly #max: number;
  #buf: Uint8Array;
  #start = 0;
  #end = 0;

  /** Read messages from `stream`. */
  constructor(stream: Pick<ByteStream, "read">, options: GobMessageReaderOptions = {}) {
    this.#stream = stream;
    this.#max = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.#buf = new Uint8Array(options.initialBufferSize ?? 4096);
  }

  /**
   * The next message body, or `null` when the stream ends cleanly between messages. Throws
   * {@linkcode GobError} for a bad or oversized length and for an end inside a message;
   * errors of the stream itself pass through.
   */
  async next(): Promise<Uint8Array | null> {
    for (;;) {
      const prefix = parseLengthPrefix(this.#buf, this.#start, this.#end);
      if (prefix === null) {
        if (!(await this.#fill(this.#end - this.#start + 1))) {
          if (this.#end === this.#start) return null;
          throw new GobError("gob: unexpected EOF in message length", "eof");
        }
        continue;
      }
      const { length, bodyStart } = prefix;
      if (length === 0) throw new GobError("gob: empty message");
      if (length > this.#max) {
        throw new GobError(
          `gob: message of ${length} bytes exceeds the limit of ${this.#max}`,
          "limit",
        );
      }
      const total = bodyStart - this.#start + length;
      if (this.#end - this.#start >= total) {
        this.#start += total;
        return this.#buf.subarray(bodyStart, bodyStart + length);
      }
      if (!(await this.#fill(total))) throw new GobError("gob: unexpected EOF", "eof");
    }
  }

  /**
   * Take messages until a value message: type definitions go into `decoder`. `null` when the
   * stream ends cleanly before the first message.
   */
  async nextValue(decoder: GobDecoder): Promise<PendingValue | null> {
    let first = true;
    for (;;) {
      const body = await this.next();
      if (body === null) {
        if (first) return null;
        throw new GobError("gob: unexpected EOF after type definitions", "eof");
      }
      const pending = decoder.acceptMessage(body);
      if (pending) return pending;
      first = false;
    }
  }

  // Read at least once so that `need` bytes from #start may fit; false at end of stream.
  async #fill(need: number): Promise<boolean> {
    const buffered = this.#end - this.#start;
    if (this.#start + need > this.#buf.length) {
      if (need > this.#buf.length) {
        const next = new Uint8Array(Math.max(need, Math.min(this.#buf.length * 2, this.#max + 9)));
        next.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = next;
      } else {
        this.#buf.copyWithin(0, this.#start, this.#end);
      }
      this.#start = 0;
      this.#end = buffered;
    }
    const n = await this.#stream.read(this.#buf.subarray(this.#end));
    if (n === null) return false;
    this.#end += n;
    return true;
  }
}
