import type { ByteStream } from "./byte_stream.ts";

/**
 * A TCP connection as a {@linkcode ByteStream}: the same reads and writes, but `close` may be
 * called any number of times, as the contract says (a raw `Deno.TcpConn` throws `BadResource`
 * on its second close, and every owner of one used to guard its closes). Raw connections are
 * wrapped where they enter our code: right after `Deno.connect` or `listener.accept`.
 */
export class TcpStream implements ByteStream {
  /** The connection; close it only through {@linkcode TcpStream.close}. */
  readonly conn: Deno.TcpConn;
  /** The peer's address. */
  readonly remoteAddr: Deno.NetAddr;
  /** Our address. */
  readonly localAddr: Deno.NetAddr;
  #closed = false;

  /** Wrap `conn` (owned from now on). */
  constructor(conn: Deno.TcpConn) {
    this.conn = conn;
    // Read once: Deno's getters throw once the resource is gone.
    this.remoteAddr = conn.remoteAddr;
    this.localAddr = conn.localAddr;
  }

  /** Whether {@linkcode TcpStream.close} has run. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /** {@inheritDoc ByteStream.read} */
  read(p: Uint8Array): Promise<number | null> {
    return this.conn.read(p);
  }

  /** {@inheritDoc ByteStream.write} */
  write(p: Uint8Array): Promise<number> {
    return this.conn.write(p);
  }

  /** {@inheritDoc ByteStream.closeWrite} */
  closeWrite(): Promise<void> {
    return this.conn.closeWrite();
  }

  /** Turn Nagle off (`true`) or on; a closed connection is left alone (latency only). */
  setNoDelay(noDelay = true): void {
    if (this.#closed) return;
    try {
      this.conn.setNoDelay(noDelay);
    } catch {
      // Reset by the peer already: the next read or write says so.
    }
  }

  /** Close the socket. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.conn.close();
    } catch {
      // Deno already released it (a signal-aborted connect closes its connection itself).
    }
  }
}
