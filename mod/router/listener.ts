import type { RouteConn } from "./route_conn.ts";

/** Route groups waiting to be accepted on one listener before more are refused. */
export const ROUTE_ACCEPT_BUFFER = 256;

/**
 * Route groups dialed to one of our route ports (Go `skywireListener`). The router hands each
 * group over once its handshake is done; closing the listener frees the port and closes the
 * groups nobody accepted.
 */
export class RouteListener implements AsyncIterable<RouteConn> {
  /** The route port. */
  readonly port: number;
  #queue: RouteConn[] = [];
  #waiters: Array<(conn: RouteConn | null) => void> = [];
  #closed = false;
  #onClose?: () => void;

  /** A listener on `port`; `onClose` (frees the port) runs once, on close. */
  constructor(port: number, onClose?: () => void) {
    this.port = port;
    this.#onClose = onClose;
  }

  /** Whether it is closed. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /** Groups waiting to be accepted. */
  get pending(): number {
    return this.#queue.length;
  }

  /** The next route group, or `null` once the listener is closed. */
  accept(): Promise<RouteConn | null> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Hand over a group; `false` (the caller closes it) when closed or full. */
  introduce(conn: RouteConn): boolean {
    if (this.#closed) return false;
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter(conn);
      return true;
    }
    if (this.#queue.length >= ROUTE_ACCEPT_BUFFER) return false;
    this.#queue.push(conn);
    return true;
  }

  /** Stop listening: frees the port, closes queued groups, ends pending accepts. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const conn of this.#queue.splice(0)) conn.close();
    for (const waiter of this.#waiters.splice(0)) waiter(null);
    const onClose = this.#onClose;
    this.#onClose = undefined;
    onClose?.();
  }

  /** Accepted groups until the listener closes. */
  async *[Symbol.asyncIterator](): AsyncIterator<RouteConn> {
    for (;;) {
      const conn = await this.accept();
      if (conn === null) return;
      yield conn;
    }
  }
}
