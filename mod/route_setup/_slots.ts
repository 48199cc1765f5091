/**
 * A counting semaphore whose waiters are woken (with `false`) when it closes, so a loop waiting
 * for a slot ends with its owner.
 */
export class Slots {
  readonly #max: number;
  #used = 0;
  #waiters: Array<(ok: boolean) => void> = [];
  #closed = false;

  /** `max` slots, all free. */
  constructor(max: number) {
    this.#max = max;
  }

  /** Slots taken now. */
  get used(): number {
    return this.#used;
  }

  /** Resolves `true` with a slot taken, or `false` (and nothing taken) once closed. */
  acquire(): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    if (this.#used < this.#max) {
      this.#used++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Give a slot back (to the first waiter if there is one). */
  release(): void {
    const waiter = this.#closed ? undefined : this.#waiters.shift();
    if (waiter) waiter(true);
    else this.#used--;
  }

  /** Wake every waiter with `false`; later acquires get `false`. */
  close(): void {
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) waiter(false);
  }
}
