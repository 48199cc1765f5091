import { Duplex } from "node:stream";
import { type SecureContext, TLSSocket } from "node:tls";
import type { ByteStream } from "../conn/mod.ts";

// Decrypted bytes queued for the reader before the TLS socket is paused.
const HIGH_WATER_BYTES = 64 * 1024;
const READ_CHUNK_BYTES = 16 * 1024;

/**
 * The server side of TLS on an accepted TCP connection this stream owns, as a `ByteStream`.
 *
 * Why not `Deno.listenTls`: a connection it accepts runs its handshake in a task of its own
 * that keeps the socket open until the client sends or leaves, even after `close()` (measured
 * here: still open 40 s later), so a client that opens TCP and stays silent would hold a file
 * descriptor for as long as it likes. Here the TCP connection stays ours, and `close()` closes
 * it at once; node:tls (rustls underneath in Deno) does the TLS on top.
 */
export class TlsServerStream implements ByteStream {
  readonly #tcp: Deno.TcpConn;
  readonly #tls: TLSSocket;
  readonly #chunks: Uint8Array[] = [];
  #queued = 0;
  #ended = false;
  #error: Error | undefined;
  #closed = false;
  #wake: (() => void) | undefined;
  /** Resolves when the handshake is done; rejects when it fails or the stream closes first. */
  readonly handshake: Promise<void>;

  /** Start the server handshake on `tcp` with `context`. */
  constructor(tcp: Deno.TcpConn, context: SecureContext) {
    this.#tcp = tcp;
    const buffer = new Uint8Array(READ_CHUNK_BYTES);
    let reading = false;
    const transport = new Duplex({
      read() {
        if (reading) return;
        reading = true;
        tcp.read(buffer).then(
          (n) => {
            reading = false;
            this.push(n === null ? null : buffer.slice(0, n));
          },
          (error) => this.destroy(error),
        );
      },
      write(chunk: Uint8Array, _encoding, callback) {
        (async () => {
          for (let at = 0; at < chunk.length;) at += await tcp.write(chunk.subarray(at));
        })().then(() => callback(), callback);
      },
      final(callback) {
        tcp.closeWrite().then(() => callback(), () => callback());
      },
    });
    transport.on("error", () => this.close());
    const socket = new TLSSocket(transport, {
      isServer: true,
      secureContext: context,
      // Only HTTP/1.1 is spoken here: ALPN keeps h2 clients from trying anything else.
      ALPNProtocols: ["http/1.1"],
    });
    this.#tls = socket;
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    promise.catch(() => {});
    this.handshake = promise;
    socket.once("secure", () => resolve());
    socket.on("data", (chunk: Uint8Array) => {
      this.#chunks.push(chunk);
      this.#queued += chunk.length;
      if (this.#queued >= HIGH_WATER_BYTES) socket.pause();
      this.#notify();
    });
    socket.on("end", () => {
      this.#ended = true;
      this.#notify();
    });
    socket.on("error", (error: Error) => {
      this.#error ??= error;
      reject(error);
      this.close();
    });
    socket.on("close", () => {
      reject(new Deno.errors.Interrupted("the connection closed before the TLS handshake"));
      this.#ended = true;
      this.#notify();
    });
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** {@inheritDoc ByteStream.read} */
  async read(p: Uint8Array): Promise<number | null> {
    for (;;) {
      const chunk = this.#chunks[0];
      if (chunk) {
        const n = Math.min(p.length, chunk.length);
        p.set(chunk.subarray(0, n));
        if (n === chunk.length) this.#chunks.shift();
        else this.#chunks[0] = chunk.subarray(n);
        this.#queued -= n;
        if (this.#queued < HIGH_WATER_BYTES && this.#tls.isPaused()) this.#tls.resume();
        return n;
      }
      if (this.#error && !this.#ended) throw this.#error;
      if (this.#ended || this.#closed) return null;
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
  }

  /** {@inheritDoc ByteStream.write} */
  async write(p: Uint8Array): Promise<number> {
    if (this.#closed || this.#tls.destroyed) {
      throw this.#error ?? new Deno.errors.BadResource("the TLS connection is closed");
    }
    // Copied: the caller may reuse its buffer before node:tls has encrypted this one.
    if (!this.#tls.write(p.slice())) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.#tls.off("drain", done).off("close", done);
          resolve();
        };
        this.#tls.on("drain", done).on("close", done);
      });
      if (this.#tls.destroyed) {
        throw this.#error ?? new Deno.errors.BadResource("the TLS connection is closed");
      }
    }
    return p.length;
  }

  /** {@inheritDoc ByteStream.closeWrite} */
  closeWrite(): Promise<void> {
    // Sends close_notify, then ends the TCP write side (the transport's `final`).
    this.#tls.end();
    return Promise.resolve();
  }

  /** Close the TLS session and the TCP connection at once. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#tls.destroy();
    try {
      this.#tcp.close();
    } catch {
      // Already closed.
    }
    this.#notify();
  }
}
