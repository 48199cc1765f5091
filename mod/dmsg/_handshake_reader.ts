import type { ByteStream } from "../conn/mod.ts";

// Go reads the handshake through a 4 KiB buffered reader; we read the same way on the dialing
// side so that bytes a server sent past its last handshake message can be noticed (error 203).
const CHUNK = 4096;

/**
 * A `ByteStream` view of a connection that reads it in chunks and keeps what the reader did not
 * take yet, like Go's `bufio.Reader` during the session handshake. Writes go straight through.
 * It never closes the connection.
 */
export class HandshakeReader implements ByteStream {
  readonly #conn: ByteStream;
  readonly #buffer = new Uint8Array(CHUNK);
  #start = 0;
  #end = 0;

  /** Read `conn` in chunks. */
  constructor(conn: ByteStream) {
    this.#conn = conn;
  }

  /** Bytes read from the connection that nobody has consumed yet. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** Serve from the buffer, refilling it with one read of the connection when empty. */
  async read(p: Uint8Array): Promise<number | null> {
    if (this.#start === this.#end) {
      const n = await this.#conn.read(this.#buffer);
      if (n === null) return null;
      this.#start = 0;
      this.#end = n;
    }
    const n = Math.min(p.length, this.#end - this.#start);
    p.set(this.#buffer.subarray(this.#start, this.#start + n));
    this.#start += n;
    return n;
  }

  /** Write straight to the connection. */
  write(p: Uint8Array): Promise<number> {
    return this.#conn.write(p);
  }

  /** Does nothing: the connection belongs to the caller. */
  close(): void {}
}
