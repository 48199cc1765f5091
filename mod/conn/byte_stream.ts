/**
 * A bidirectional byte stream with Deno's reader/writer shape.
 *
 * - `read(p)` fills up to `p.length` bytes and resolves to the count, or `null` at end of stream.
 * - `write(p)` writes some of `p` and resolves to the count (use `writeAll` for all of it).
 * - `close()` releases the stream; pending and later reads/writes fail or end.
 * - `closeWrite()` (optional) half-closes: the peer reads end of stream, we can still read.
 *
 * `Deno.Conn` has the shape but not the contract: its second `close()` throws `BadResource`.
 * Raw TCP connections are wrapped in `TcpStream` (`tcp_stream.ts`) where they enter our code.
 * Every implementation runs the compliance suite in `tests/_util/byte_stream_compliance.ts`.
 */
export interface ByteStream {
  /** Read into `p`; `null` at end of stream. */
  read(p: Uint8Array): Promise<number | null>;
  /** Write from `p`; resolves to the number of bytes written. */
  write(p: Uint8Array): Promise<number>;
  /** Close both directions and release resources. Idempotent. */
  close(): void;
  /** Half-close the write side. */
  closeWrite?(): Promise<void>;
}
