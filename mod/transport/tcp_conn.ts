import type { ByteStream } from "../conn/mod.ts";
import type { DmsgAddr } from "../dmsg/mod.ts";
import type { TransportConn } from "./network.ts";

/** What a {@linkcode TcpTransportConn} is made of. */
export interface TcpTransportConnInit {
  /** The Noise-wrapped TCP connection (owned from now on). */
  inner: ByteStream;
  /** `stcp` or `stcpr`. */
  type: string;
  /** Our key and skywire port. */
  localAddr: DmsgAddr;
  /** The peer's key and skywire port. */
  remoteAddr: DmsgAddr;
  /** Whether we dialed. */
  initiator: boolean;
  /** The peer's `host:port`. */
  remoteRawAddr: string;
  /** Frees our ephemeral port; called once, on close. */
  release?: () => void;
}

/** A TCP transport connection after the network handshake and Noise (Go `network.transport`). */
export class TcpTransportConn implements TransportConn {
  /** `stcp` or `stcpr`. */
  readonly type: string;
  /** Our key and skywire port. */
  readonly localAddr: DmsgAddr;
  /** The peer's key and skywire port. */
  readonly remoteAddr: DmsgAddr;
  /** Whether we dialed. */
  readonly initiator: boolean;
  /** The peer's `host:port`. */
  readonly remoteRawAddr: string;
  readonly #inner: ByteStream;
  #release?: () => void;

  /** Wrap a finished connection. */
  constructor(init: TcpTransportConnInit) {
    this.#inner = init.inner;
    this.type = init.type;
    this.localAddr = init.localAddr;
    this.remoteAddr = init.remoteAddr;
    this.initiator = init.initiator;
    this.remoteRawAddr = init.remoteRawAddr;
    this.#release = init.release;
  }

  /** Read decrypted bytes. */
  read(p: Uint8Array): Promise<number | null> {
    return this.#inner.read(p);
  }

  /** Write bytes (encrypted). */
  write(p: Uint8Array): Promise<number> {
    return this.#inner.write(p);
  }

  /** Half-close. */
  async closeWrite(): Promise<void> {
    if (this.#inner.closeWrite) await this.#inner.closeWrite();
    else this.close();
  }

  /** Close the connection and free its port. Idempotent. */
  close(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
    try {
      this.#inner.close();
    } catch {
      // already closed
    }
  }
}
