import type { ByteStream } from "../conn/mod.ts";
import { MAX_PACKET_SIZE, PACKET_HEADER_SIZE } from "./constants.ts";
import { TruncatedPacketError } from "./errors.ts";
import { type DecodedPacket, decodePacket } from "./packet.ts";

/** Options for {@linkcode PacketReader}. */
export interface PacketReaderOptions {
  /**
   * Initial buffer size in bytes (default 16 KiB). It grows, once, to the largest packet
   * (65542 bytes) when a packet needs it; it never grows past that.
   */
  initialBufferSize?: number;
  /**
   * Give every packet its own copy of its bytes (default `false`). Without it, a packet's
   * `payload` and `frame` are views into the reader's buffer that stay valid only until the
   * next call to {@linkcode PacketReader.next}.
   */
  copy?: boolean;
}

/**
 * Reads packets written back to back on a stream: the 7-byte header, then exactly `len`
 * payload bytes. It reads in large chunks into one reusable buffer and returns packets as views
 * into it, so a burst of small packets costs one `read` and no allocations.
 *
 * Ownership: unless `copy` is set, a returned packet borrows the buffer. Its `payload` and
 * `frame` are valid until the next `next()` call; copy them (`payload.slice()`) to keep them, or
 * finish with them (e.g. `await` the write that forwards them) before reading on. The reader
 * does not own the stream: the caller closes it.
 */
export class PacketReader {
  readonly #stream: Pick<ByteStream, "read">;
  readonly #copy: boolean;
  #buf: Uint8Array;
  #start = 0; // first unconsumed byte
  #end = 0; // one past the last byte read

  /** Read packets from `stream`. */
  constructor(stream: Pick<ByteStream, "read">, options: PacketReaderOptions = {}) {
    this.#stream = stream;
    this.#copy = options.copy ?? false;
    const size = options.initialBufferSize ?? 16 * 1024;
    this.#buf = new Uint8Array(Math.min(Math.max(size, PACKET_HEADER_SIZE), MAX_PACKET_SIZE));
  }

  /**
   * The next packet, or `null` when the stream ends cleanly between packets. Throws
   * {@linkcode TruncatedPacketError} when it ends inside a packet; stream errors pass through.
   */
  async next(): Promise<DecodedPacket | null> {
    for (;;) {
      const available = this.#end - this.#start;
      let want = PACKET_HEADER_SIZE;
      if (available >= PACKET_HEADER_SIZE) {
        const b = this.#buf, s = this.#start;
        want = PACKET_HEADER_SIZE + ((b[s + 5] << 8) | b[s + 6]);
        if (available >= want) return this.#take(want);
      }
      this.#makeRoom(want);
      const n = await this.#stream.read(this.#buf.subarray(this.#end));
      if (n === null) {
        if (this.#end === this.#start) return null;
        throw new TruncatedPacketError(this.#end - this.#start, want);
      }
      this.#end += n;
    }
  }

  #take(size: number): DecodedPacket {
    const start = this.#start;
    this.#start += size;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    const bytes = this.#buf.subarray(start, start + size);
    return decodePacket(this.#copy ? bytes.slice() : bytes);
  }

  // Make sure `want` bytes from #start fit in the buffer: move the partial packet to the front,
  // and grow (bounded by the largest possible packet) only if the buffer itself is too small.
  #makeRoom(want: number): void {
    if (this.#start + want <= this.#buf.length) return;
    const pending = this.#buf.subarray(this.#start, this.#end);
    if (want > this.#buf.length) {
      const grown = new Uint8Array(MAX_PACKET_SIZE);
      grown.set(pending);
      this.#buf = grown;
    } else {
      this.#buf.copyWithin(0, this.#start, this.#end);
    }
    this.#end -= this.#start;
    this.#start = 0;
  }
}
