import type { PubKey } from "../cipher/mod.ts";
import type { ByteStream } from "../conn/mod.ts";
import { NoiseStream, type TransportKeys } from "../noise/mod.ts";
import type { DmsgAddr } from "./addr.ts";

/**
 * A dmsg stream: an end-to-end Noise KK encrypted byte stream to another dmsg entity, relayed
 * by a dmsg server that cannot read it (Go `dmsg.Stream`).
 */
export interface DmsgStream extends ByteStream {
  /** Our end: our public key and the port (ephemeral when we dialed). */
  readonly localAddr: DmsgAddr;
  /** The other end. */
  readonly remoteAddr: DmsgAddr;
  /** The dmsg server relaying the stream. */
  readonly serverPk: PubKey;
  /** Half-close: the peer reads end of stream, we can still read. */
  closeWrite(): Promise<void>;
}

/** What a {@linkcode SessionStream} is built from. */
export interface SessionStreamInit {
  /** The yamux stream (or other byte stream) carrying the encrypted frames; owned from now. */
  inner: ByteStream;
  /** KK transport keys. */
  keys: TransportKeys;
  /** Our end. */
  localAddr: DmsgAddr;
  /** The other end. */
  remoteAddr: DmsgAddr;
  /** The relaying server. */
  serverPk: PubKey;
  /** Close after this long without a read or write; 0 disables. */
  idleTimeoutMs: number;
  /** Called once when the stream closes (frees its port, forgets it). */
  onClose?: (stream: SessionStream) => void;
}

/**
 * The {@linkcode DmsgStream} implementation: a {@linkcode NoiseStream} over a yamux stream plus
 * the addresses, an idle timeout and a close hook. It closes itself (running the hook once) on
 * `close()`, a failed read or write, end of stream after our own half-close, or idleness.
 */
export class SessionStream implements DmsgStream {
  /** {@inheritDoc DmsgStream.localAddr} */
  readonly localAddr: DmsgAddr;
  /** {@inheritDoc DmsgStream.remoteAddr} */
  readonly remoteAddr: DmsgAddr;
  /** {@inheritDoc DmsgStream.serverPk} */
  readonly serverPk: PubKey;
  readonly #noise: NoiseStream;
  readonly #idleMs: number;
  #onClose: ((stream: SessionStream) => void) | undefined;
  #lastActive = performance.now();
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #readEnded = false;
  #writeClosed = false;

  /** Wrap `init.inner` with the KK keys; the idle clock starts now. */
  constructor(init: SessionStreamInit) {
    this.localAddr = init.localAddr;
    this.remoteAddr = init.remoteAddr;
    this.serverPk = init.serverPk;
    this.#noise = new NoiseStream(init.inner, init.keys);
    this.#idleMs = init.idleTimeoutMs;
    this.#onClose = init.onClose;
    if (this.#idleMs > 0) this.#armIdle(this.#idleMs);
  }

  /** Whether the stream is closed. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /** Whether an idle timer is armed (for leak counters). */
  get hasTimer(): boolean {
    return this.#idleTimer !== undefined;
  }

  /** Read decrypted bytes; `null` at end of stream. A failed read closes the stream. */
  async read(p: Uint8Array): Promise<number | null> {
    let n: number | null;
    try {
      n = await this.#noise.read(p);
    } catch (error) {
      this.close();
      throw error;
    }
    this.#lastActive = performance.now();
    if (n === null) {
      this.#readEnded = true;
      if (this.#writeClosed) this.close();
    }
    return n;
  }

  /** Encrypt and write all of `p`. A failed write closes the stream. */
  async write(p: Uint8Array): Promise<number> {
    try {
      const n = await this.#noise.write(p);
      this.#lastActive = performance.now();
      return n;
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** Half-close after queued writes; the stream closes once the peer's end is read too. */
  async closeWrite(): Promise<void> {
    if (this.#closed || this.#writeClosed) return;
    this.#writeClosed = true;
    try {
      await this.#noise.closeWrite();
    } catch (error) {
      this.close();
      throw error;
    }
    if (this.#readEnded) this.close();
  }

  /** Close both directions and release the port. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    this.#noise.close();
    const onClose = this.#onClose;
    this.#onClose = undefined;
    onClose?.(this);
  }

  // One timer per stream, re-armed for the remaining time instead of on every read or write.
  #armIdle(ms: number): void {
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      if (this.#closed) return;
      const idle = performance.now() - this.#lastActive;
      if (idle >= this.#idleMs) this.close();
      else this.#armIdle(this.#idleMs - idle);
    }, ms);
  }
}
