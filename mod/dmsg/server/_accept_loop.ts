import type { Logger } from "../../log/mod.ts";

// A failed accept (e.g. out of file descriptors) is retried after 5 ms, doubling up to 1 s (as
// Go's net/http does for temporary errors).
const BACKOFF_BASE_MS = 5;
const BACKOFF_MAX_MS = 1_000;

/** Options for {@linkcode AcceptLoop}. */
export interface AcceptLoopOptions {
  /** The listener; the loop never closes it. */
  listener: Deno.TcpListener;
  /** Take one accepted connection (it owns it from now on); must not throw. */
  admit: (conn: Deno.TcpConn) => void;
  /** Accepting started failing (`true`) or works again (`false`). */
  onFailing?: (failing: boolean) => void;
  /** One line when accepting starts failing and one when it works again. */
  logger?: Logger;
}

/**
 * Accepts connections until stopped. A failed accept never ends it (Go's dmsg server returns
 * from `Serve` on the first one and accepts nothing more, still advertised): it backs off and
 * tries again, telling the owner while it fails so the server can stop offering sessions.
 */
export class AcceptLoop {
  readonly #o: AcceptLoopOptions;
  #failing = false;
  #stopped = false;
  #wake: (() => void) | undefined;
  /** Settles once the loop has stopped. */
  readonly done: Promise<void>;

  /** Start accepting. */
  constructor(options: AcceptLoopOptions) {
    this.#o = options;
    this.done = this.#run();
  }

  /** Whether the last accept failed (and none has worked since). */
  get failing(): boolean {
    return this.#failing;
  }

  /** Stop after the accept in progress; the owner closes the listener to end that one. */
  stop(): void {
    this.#stopped = true;
    this.#wake?.();
  }

  async #run(): Promise<void> {
    const log = this.#o.logger;
    let failures = 0;
    while (!this.#stopped) {
      let conn: Deno.TcpConn;
      try {
        conn = await this.#o.listener.accept();
      } catch (error) {
        if (this.#stopped) return;
        if (error instanceof Deno.errors.BadResource) {
          log?.error("listener closed under the server, no longer accepting", { error });
          return;
        }
        // The client gave up before we took its connection: nothing wrong here.
        if (error instanceof Deno.errors.ConnectionAborted) continue;
        if (failures++ === 0) {
          log?.warn("accept failed; retrying with a backoff, offering no sessions meanwhile", {
            error,
          });
          this.#setFailing(true);
        }
        await this.#sleep(Math.min(BACKOFF_BASE_MS * 2 ** (failures - 1), BACKOFF_MAX_MS));
        continue;
      }
      if (failures > 0) {
        log?.info("accepting again", { failed_accepts: failures });
        failures = 0;
        this.#setFailing(false);
      }
      if (this.#stopped) {
        conn.close();
        return;
      }
      this.#o.admit(conn);
    }
  }

  #setFailing(failing: boolean): void {
    this.#failing = failing;
    this.#o.onFailing?.(failing);
  }

  async #sleep(ms: number): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#wake = resolve;
    const timer = setTimeout(resolve, ms);
    try {
      await promise;
    } finally {
      clearTimeout(timer);
      this.#wake = undefined;
    }
  }
}
