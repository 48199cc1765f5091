import type { DmsgAddr } from "./addr.ts";
import type { DmsgStream } from "./stream.ts";

/** Streams dialed to one local port (Go `dmsg.Listener`). */
export interface DmsgListener {
  /** Our address: our public key and the port. */
  readonly addr: DmsgAddr;
  /** The next incoming stream; `null` once the listener is closed. */
  accept(): Promise<DmsgStream | null>;
  /** Stop listening: frees the port, closes streams not yet accepted, ends pending accepts. */
  close(): void;
  /** Accepted streams until the listener closes. */
  [Symbol.asyncIterator](): AsyncIterator<DmsgStream>;
}

/** What a {@linkcode PortListener} is built from. */
export interface PortListenerInit {
  /** The address listened on. */
  addr: DmsgAddr;
  /** Streams held before they are accepted; more are refused. */
  acceptBuffer: number;
}

/**
 * The {@linkcode DmsgListener} implementation: a bounded queue of answered streams. Its owner
 * (the port table) sets {@linkcode onClose} to free the port.
 */
export class PortListener implements DmsgListener {
  /** {@inheritDoc DmsgListener.addr} */
  readonly addr: DmsgAddr;
  /** Called once on close. */
  onClose: (() => void) | undefined;
  readonly #capacity: number;
  #queue: DmsgStream[] = [];
  #waiters: Array<(stream: DmsgStream | null) => void> = [];
  #closed = false;

  /** Create a listener with an empty queue. */
  constructor(init: PortListenerInit) {
    this.addr = init.addr;
    this.#capacity = init.acceptBuffer;
  }

  /** Whether the listener is closed. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /** Streams waiting to be accepted. */
  get pending(): number {
    return this.#queue.length;
  }

  /**
   * Hand over an answered stream. Returns `false` (the caller closes the stream) when the
   * listener is closed or its queue is full (Go error 401).
   */
  introduce(stream: DmsgStream): boolean {
    if (this.#closed) return false;
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter(stream);
      return true;
    }
    if (this.#queue.length >= this.#capacity) return false;
    this.#queue.push(stream);
    return true;
  }

  /** {@inheritDoc DmsgListener.accept} */
  accept(): Promise<DmsgStream | null> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** {@inheritDoc DmsgListener.close} */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const stream of this.#queue.splice(0)) stream.close();
    for (const waiter of this.#waiters.splice(0)) waiter(null);
    const onClose = this.onClose;
    this.onClose = undefined;
    onClose?.();
  }

  /** {@inheritDoc DmsgListener.[Symbol.asyncIterator]} */
  async *[Symbol.asyncIterator](): AsyncIterator<DmsgStream> {
    for (;;) {
      const stream = await this.accept();
      if (stream === null) return;
      yield stream;
    }
  }
}
