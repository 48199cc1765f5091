import type { AppConn, AppListener, AppNet } from "../../../mod/appnet/mod.ts";
import type { PubKey } from "../../../mod/cipher/mod.ts";

/**
 * An app connection that can be made to go silent: {@linkcode blackHole} stops delivering bytes
 * both ways (reads wait, writes vanish) without closing anything underneath, as a route group
 * whose rules were dropped mid-path. Closing it closes the real stream.
 */
export class BlackHoleConn implements AppConn {
  readonly #inner: AppConn;
  #silent = false;
  #closed = false;
  #wake: Array<() => void> = [];

  /** Wrap `inner` (owned from now). */
  constructor(inner: AppConn) {
    this.#inner = inner;
  }

  /** {@inheritDoc AppConn.localAddr} */
  get localAddr() {
    return this.#inner.localAddr;
  }

  /** {@inheritDoc AppConn.remoteAddr} */
  get remoteAddr() {
    return this.#inner.remoteAddr;
  }

  /** Whether it went silent. */
  get silent(): boolean {
    return this.#silent;
  }

  /** Go silent from now on (idempotent). */
  blackHole(): void {
    this.#silent = true;
  }

  async read(p: Uint8Array): Promise<number | null> {
    if (!this.#silent) {
      const n = await this.#inner.read(p);
      if (!this.#silent || this.#closed) return n;
      // Bytes that arrive after the collapse are dropped like the rest.
    }
    if (this.#closed) return null;
    await new Promise<void>((resolve) => this.#wake.push(resolve));
    return null;
  }

  write(p: Uint8Array): Promise<number> {
    if (this.#closed) return Promise.reject(new Deno.errors.BadResource("closed"));
    if (this.#silent) return Promise.resolve(p.length);
    return this.#inner.write(p);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const wake of this.#wake.splice(0)) wake();
    this.#inner.close();
  }
}

/** An {@linkcode AppNet} whose dialed connections can be black-holed. */
export class BlackHoleNet implements AppNet {
  readonly #inner: AppNet;
  /** Every connection dialed, in order. */
  readonly dialed: BlackHoleConn[] = [];
  /** Dials refused on purpose (see {@linkcode refuseDials}). */
  refusing = false;

  /** Wrap `inner`. */
  constructor(inner: AppNet) {
    this.#inner = inner;
  }

  async dial(pk: PubKey, port: number, options?: { minHops?: number; signal?: AbortSignal }) {
    if (this.refusing) throw new Error("dial refused by the test");
    const conn = new BlackHoleConn(await this.#inner.dial(pk, port, options));
    this.dialed.push(conn);
    return conn;
  }

  listen(port: number): AppListener {
    return this.#inner.listen(port);
  }

  /** Black-hole every connection dialed so far. */
  blackHoleAll(): void {
    for (const conn of this.dialed) conn.blackHole();
  }
}
