import type { ByteStream } from "../conn/mod.ts";
import { HttpTimeoutError } from "./errors.ts";

/**
 * A byte stream that closes itself when a limit runs out, so a silent or stalled peer cannot
 * hold a connection (and its handler) forever. Two kinds of limit, one at a time:
 * - `inactivity(ms)`: a read or write waits longer than `ms` without any progress;
 * - `deadline(ms)`: an absolute limit (a request head must arrive in full within it).
 *
 * One timer at most, armed lazily: I/O does not touch the timer while it is running, so bulk
 * transfers pay a clock read per operation rather than a timer per operation.
 */
export class StreamWatchdog implements ByteStream {
  readonly #stream: ByteStream;
  #inactivityMs = 0;
  #deadlineAt = 0;
  #what = "";
  #pending = 0;
  #lastProgress = Date.now();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerDue = 0;
  #expired: HttpTimeoutError | undefined;
  #closed = false;
  readonly #closedSignal = Promise.withResolvers<void>();

  /** Watch `stream`. */
  constructor(stream: ByteStream) {
    this.#stream = stream;
  }

  /** Resolves when the stream is closed here (by a limit or by its owner). */
  get closed(): Promise<void> {
    return this.#closedSignal.promise;
  }

  /** The timeout that closed the stream, if one did. */
  get expired(): HttpTimeoutError | undefined {
    return this.#expired;
  }

  /** Close the stream when an operation makes no progress for `ms` (0: no limit). */
  inactivity(ms: number, what: string): void {
    this.#inactivityMs = ms;
    this.#deadlineAt = 0;
    this.#what = what;
    this.#lastProgress = Date.now();
    this.#reschedule();
  }

  /** Close the stream `ms` from now unless another limit is set first (0: no limit). */
  deadline(ms: number, what: string): void {
    this.#inactivityMs = 0;
    this.#deadlineAt = ms > 0 ? Date.now() + ms : 0;
    this.#what = what;
    this.#reschedule();
  }

  /**
   * A new limit may fall before the armed timer: re-arm then. A timer due earlier than the new
   * limit is kept; when it fires, #check re-arms for the real due time.
   */
  #reschedule(): void {
    if (this.#timer !== undefined) {
      const due = this.#due();
      if (due === 0 || this.#timerDue <= due) return;
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#schedule();
  }

  #due(): number {
    if (this.#deadlineAt > 0) return this.#deadlineAt;
    if (this.#inactivityMs > 0 && this.#pending > 0) return this.#lastProgress + this.#inactivityMs;
    return 0;
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#closed) return;
    const due = this.#due();
    if (due === 0) return;
    this.#timerDue = due;
    this.#timer = setTimeout(() => this.#check(), Math.max(0, due - Date.now()));
  }

  #check(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    const due = this.#due();
    if (due === 0) return;
    if (Date.now() >= due) {
      this.#expired = new HttpTimeoutError(this.#what);
      this.close();
      return;
    }
    this.#schedule();
  }

  /** {@inheritDoc ByteStream.read} */
  async read(p: Uint8Array): Promise<number | null> {
    this.#pending++;
    this.#schedule();
    try {
      return await this.#stream.read(p);
    } catch (error) {
      throw this.#expired ?? error;
    } finally {
      this.#pending--;
      this.#lastProgress = Date.now();
    }
  }

  /**
   * A read the inactivity limit does not watch: one left pending on purpose, to notice the
   * peer closing while a response is written (a deadline still applies).
   */
  async readQuietly(p: Uint8Array): Promise<number | null> {
    try {
      return await this.#stream.read(p);
    } catch (error) {
      throw this.#expired ?? error;
    } finally {
      this.#lastProgress = Date.now();
    }
  }

  /** {@inheritDoc ByteStream.write} */
  async write(p: Uint8Array): Promise<number> {
    this.#pending++;
    this.#schedule();
    try {
      return await this.#stream.write(p);
    } catch (error) {
      throw this.#expired ?? error;
    } finally {
      this.#pending--;
      this.#lastProgress = Date.now();
    }
  }

  /** Whether the stream can be half-closed. */
  get canCloseWrite(): boolean {
    return typeof this.#stream.closeWrite === "function";
  }

  /** {@inheritDoc ByteStream.closeWrite} */
  async closeWrite(): Promise<void> {
    await this.#stream.closeWrite?.();
  }

  /** Close the stream and stop the timer. Idempotent. */
  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#closed) return;
    this.#closed = true;
    this.#closedSignal.resolve();
    try {
      this.#stream.close();
    } catch {
      // Already closed by the other side or the runtime.
    }
  }
}
