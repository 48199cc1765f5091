import type { Timer } from "./_timer.ts";

/** A writer whose connection writes the watchdog bounds. */
export interface Watched {
  /** When the write in progress must be done (`performance.now()` ms); Infinity when idle. */
  readonly deadline: number;
  /** The write in progress passed its deadline: fail it. */
  expire(): void;
}

/**
 * One timer for every writer's connection-write deadline instead of a timer per writer busy
 * period: a relay's writers go busy and idle dozens of times per MiB, and arming and clearing a
 * timer each time cost more than the rest of the writer. A writer registers itself when a write
 * starts (the timer is armed for the earliest deadline); the timer, when it fires, fails the
 * writers past their deadline, drops the idle ones and re-arms for the earliest left. A writer
 * that closes leaves at once, and the last one to leave clears the timer, so nothing outlives
 * the sessions.
 */
export class WriteWatchdog {
  readonly #watched = new Set<Watched>();
  #timer: Timer | undefined;
  #fireAt = Infinity;

  /** Writers registered (busy, or idle since the timer last fired). */
  get size(): number {
    return this.#watched.size;
  }

  /** Whether the timer is armed (for leak checks). */
  get armed(): boolean {
    return this.#timer !== undefined;
  }

  /** `writer` started a write; its `deadline` is set. */
  watch(writer: Watched): void {
    this.#watched.add(writer);
    if (writer.deadline < this.#fireAt) this.#arm(writer.deadline);
  }

  /** `writer` is closed: forget it (clears the timer when it was the last). */
  forget(writer: Watched): void {
    if (!this.#watched.delete(writer) || this.#watched.size > 0) return;
    this.#disarm();
  }

  #arm(at: number): void {
    this.#disarm();
    this.#fireAt = at;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, at - performance.now()));
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#fireAt = Infinity;
  }

  #fire(): void {
    this.#timer = undefined;
    this.#fireAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    const expired: Watched[] = [];
    for (const writer of this.#watched) {
      const deadline = writer.deadline;
      if (deadline === Infinity) this.#watched.delete(writer);
      else if (deadline <= now) {
        this.#watched.delete(writer);
        expired.push(writer);
      } else if (deadline < next) next = deadline;
    }
    if (next < Infinity) this.#arm(next);
    for (const writer of expired) writer.expire();
  }
}

/** The process's watchdog, shared by every yamux session's writer. */
export const writeWatchdog: WriteWatchdog = new WriteWatchdog();
