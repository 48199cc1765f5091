import { closeQuietly } from "./_deadline.ts";
import type { TransportConn, TransportListener } from "./network.ts";

/** Options for {@linkcode ConnListener}. */
export interface ConnListenerOptions {
  /** The skywire port. */
  port: number;
  /** Connections held before they are accepted; more are closed (default 32). */
  backlog?: number;
  /** Called once when the listener closes (frees its port). */
  onClose?: (listener: ConnListener) => void;
}

/**
 * A {@linkcode TransportListener} fed by a network: `introduce` hands it a connection, which
 * waits in a bounded queue until accepted. A full or closed listener refuses (the network then
 * closes the connection), so a peer cannot pile up connections we never read.
 */
export class ConnListener implements TransportListener {
  /** The skywire port. */
  readonly port: number;
  readonly #backlog: number;
  readonly #onClose?: (listener: ConnListener) => void;
  readonly #queue: TransportConn[] = [];
  readonly #waiters: ((conn: TransportConn | null) => void)[] = [];
  #closed = false;

  /** Create the listener. */
  constructor(options: ConnListenerOptions) {
    this.port = options.port;
    this.#backlog = options.backlog ?? 32;
    this.#onClose = options.onClose;
  }

  /** Whether it is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Connections waiting to be accepted. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Offer a connection; `false` (and the caller keeps ownership) when closed or full. */
  introduce(conn: TransportConn): boolean {
    if (this.#closed) return false;
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter(conn);
      return true;
    }
    if (this.#queue.length >= this.#backlog) return false;
    this.#queue.push(conn);
    return true;
  }

  /** The next connection, or `null` once closed. */
  accept(): Promise<TransportConn | null> {
    const next = this.#queue.shift();
    if (next) return Promise.resolve(next);
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Close: waiting accepts get `null`, queued connections are closed. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) waiter(null);
    for (const conn of this.#queue.splice(0)) closeQuietly(conn);
    this.#onClose?.(this);
  }

  /** Accept until closed. */
  async *[Symbol.asyncIterator](): AsyncIterator<TransportConn> {
    for (;;) {
      const conn = await this.accept();
      if (conn === null) return;
      yield conn;
    }
  }
}
