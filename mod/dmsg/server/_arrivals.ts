import type { PubKey } from "../../cipher/mod.ts";

interface Waiter {
  key: string;
  // The newest handshake begun when the wait started: only handshakes up to it are awaited.
  ticket: number;
  wake: () => void;
}

/**
 * Client sessions on their way in. A client counts its session as up once it has sent its last
 * handshake message, but the server registers it only after reading and checking that message;
 * a stream request for that client arriving in between would be refused (307, which the dialer
 * sees as 306). With this, the relay waits for such a session: until its key registers, or every
 * handshake already under way when the request came has settled, or a short grace has passed.
 * Waiters are woken oldest first, so each settle or arrival costs only the waiters it wakes.
 */
export class SessionArrivals {
  #issued = 0;
  // Handshakes under way, by ticket; a Set keeps insertion (= ticket) order.
  readonly #pending = new Set<number>();
  // Waiters in ticket order (tickets only grow), and the same waiters by key.
  readonly #waiters = new Set<Waiter>();
  readonly #byKey = new Map<string, Set<Waiter>>();

  /** Handshakes under way. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Requests waiting for a session. */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** A session handshake begins; call the result once it is registered or has failed. */
  begin(): () => void {
    const ticket = ++this.#issued;
    this.#pending.add(ticket);
    return () => {
      if (!this.#pending.delete(ticket)) return;
      const oldest = this.#pending.values().next().value ?? Infinity;
      for (const waiter of this.#waiters) {
        if (waiter.ticket >= oldest) break;
        waiter.wake();
      }
    };
  }

  /** `pk`'s session is registered: wake the requests waiting for it. */
  arrived(pk: PubKey): void {
    const waiters = this.#byKey.get(pk.hex());
    if (!waiters) return;
    for (const waiter of [...waiters]) waiter.wake();
  }

  /**
   * Resolves when `pk`'s session may be registered: at once when no handshake is under way,
   * else when it arrives, when the handshakes under way now have settled, or after `graceMs`.
   * Never rejects; the caller looks the session up again.
   */
  wait(pk: PubKey, graceMs: number): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    const key = pk.hex();
    const waiter: Waiter = {
      key,
      ticket: this.#issued,
      wake: () => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        const set = this.#byKey.get(key);
        set?.delete(waiter);
        if (set?.size === 0) this.#byKey.delete(key);
        resolve();
      },
    };
    const timer = setTimeout(waiter.wake, graceMs);
    this.#waiters.add(waiter);
    let set = this.#byKey.get(key);
    if (!set) this.#byKey.set(key, set = new Set());
    set.add(waiter);
    return promise;
  }

  /** Wake every waiter (the server is closing). */
  close(): void {
    for (const waiter of [...this.#waiters]) waiter.wake();
  }
}
