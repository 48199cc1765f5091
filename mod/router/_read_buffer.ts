/**
 * Received payloads of one route group waiting to be read, bounded in bytes. A push past the
 * bound resolves only once the reader has drained half of it, and the router awaits that push
 * in the transport's read loop: a reader that does not read slows its transport, as Go's
 * blocking `readCh` does, instead of growing memory or dropping bytes.
 */
export class ReadBuffer {
  readonly #limit: number;
  #chunks: Uint8Array[] = [];
  #head = 0; // bytes already read from #chunks[0]
  #size = 0;
  #ended = false; // no more pushes: reads drain, then end
  #dropped = false; // released: reads end at once
  #readWaiters: Array<() => void> = [];
  #spaceWaiters: Array<() => void> = [];

  /** A buffer that asks pushers to wait above `limit` bytes. */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Bytes held. */
  get size(): number {
    return this.#size;
  }

  /**
   * Hold `chunk` (kept as is: pass a copy). Resolves at once below the limit, else when the
   * reader has made room or the buffer ended. Dropped silently after {@linkcode end}.
   */
  push(chunk: Uint8Array): Promise<void> {
    if (this.#ended || chunk.length === 0) return Promise.resolve();
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    this.#wakeReader();
    if (this.#size <= this.#limit) return Promise.resolve();
    return new Promise((resolve) => this.#spaceWaiters.push(resolve));
  }

  /**
   * Copy up to `p.length` bytes into `p`. Resolves `null` once the buffer ended and is empty
   * (or was dropped), and `0` for an empty `p`.
   */
  async read(p: Uint8Array): Promise<number | null> {
    for (;;) {
      if (this.#dropped) return null;
      if (this.#size > 0) return p.length === 0 ? 0 : this.#take(p);
      if (this.#ended) return null;
      if (p.length === 0) return 0;
      await new Promise<void>((resolve) => this.#readWaiters.push(resolve));
    }
  }

  /** No more data: held bytes can still be read, then reads end; waiting pushers go on. */
  end(): void {
    this.#ended = true;
    this.#wakeReader();
    this.#wakeSpace();
  }

  /** Release everything: held bytes are dropped and reads end at once. */
  drop(): void {
    this.#dropped = true;
    this.#chunks = [];
    this.#head = 0;
    this.#size = 0;
    this.end();
  }

  #take(p: Uint8Array): number {
    let n = 0;
    while (n < p.length && this.#chunks.length > 0) {
      const chunk = this.#chunks[0];
      const count = Math.min(p.length - n, chunk.length - this.#head);
      p.set(chunk.subarray(this.#head, this.#head + count), n);
      n += count;
      this.#head += count;
      if (this.#head === chunk.length) {
        this.#chunks.shift();
        this.#head = 0;
      }
    }
    this.#size -= n;
    if (this.#size <= this.#limit / 2) this.#wakeSpace();
    return n;
  }

  #wakeReader(): void {
    for (const waiter of this.#readWaiters.splice(0)) waiter();
  }

  #wakeSpace(): void {
    for (const waiter of this.#spaceWaiters.splice(0)) waiter();
  }
}
