/**
 * One dial that several callers wait for (the client's session dial to a server, which every
 * stream dial through that server joins). Each caller may give up with its own signal; the
 * dial itself is aborted only once every caller has given up (or `parent` aborts). Bound to the
 * first caller's signal instead, its abort failed the dials of all the others, which then put
 * their destination in failure backoff.
 */
export class SharedDial<T> {
  /** Settles with the dial. */
  readonly promise: Promise<T>;
  readonly #controller = new AbortController();
  #waiters = 0;
  #settled = false;

  /** Start `dial` with a signal that aborts when `parent` does or every caller has left. */
  constructor(dial: (signal: AbortSignal) => Promise<T>, parent: AbortSignal) {
    this.promise = dial(AbortSignal.any([this.#controller.signal, parent]));
    const settle = () => {
      this.#settled = true;
    };
    this.promise.then(settle, settle);
  }

  /** Callers waiting now. */
  get waiters(): number {
    return this.#waiters;
  }

  /**
   * Wait for the dial as one caller: its result, or `signal`'s reason as soon as `signal` aborts
   * (the caller then leaves; the last one to leave aborts the dial).
   */
  join(signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.#waiters++;
    if (!signal) return this.promise.finally(() => this.#waiters--);
    const { promise, resolve, reject } = Promise.withResolvers<T>();
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      signal.removeEventListener("abort", onAbort);
      if (--this.#waiters === 0 && !this.#settled) {
        this.#controller.abort(new Error("every caller gave up on the dial"));
      }
    };
    const onAbort = () => {
      leave();
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    this.promise.then(
      (value) => {
        leave();
        resolve(value);
      },
      (error) => {
        leave();
        reject(error);
      },
    );
    return promise;
  }
}
