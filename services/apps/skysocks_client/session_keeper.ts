import type { AppNet } from "../../../mod/appnet/mod.ts";
import type { PubKey } from "../../../mod/cipher/mod.ts";
import { closeWithin } from "../../../mod/lifecycle/mod.ts";
import type { Logger } from "../../../mod/log/mod.ts";
import { deadline } from "@std/async";
import { Session, type SessionOptions } from "../../../mod/yamux/mod.ts";
import {
  BACKOFF_INITIAL_MS,
  BACKOFF_MAX_MS,
  DIAL_TIMEOUT_MS,
  PING_FAILURES,
  PING_INTERVAL_MS,
  PING_TIMEOUT_MS,
} from "./constants.ts";
import { Backoff, sleep } from "../../../mod/lifecycle/mod.ts";

/** Where the keeper is: dialing, serving a session, waiting to redial, or stopped for good. */
export type KeeperState = "connecting" | "up" | "waiting" | "stopped";

/** Options for {@linkcode SessionKeeper}. */
export interface SessionKeeperOptions {
  /** The network to dial over. */
  net: AppNet;
  /** The skysocks server's visor. */
  serverPk: PubKey;
  /** Its port (default 3). */
  port?: number;
  /** Routes must cross at least this many transports; applied to every (re)dial. */
  minHops?: number;
  /** Redial after a lost session (default true); without it the keeper stops. */
  reconnect?: boolean;
  /** Liveness ping period, ms (default 15 000). */
  pingIntervalMs?: number;
  /** Limit for one ping, ms (default 10 000). */
  pingTimeoutMs?: number;
  /** Consecutive failed pings that end the session (default 2). */
  pingFailures?: number;
  /** First redial delay, ms (default 1 000), doubling up to `backoffMaxMs`. */
  backoffInitialMs?: number;
  /** Largest redial delay, ms (default 30 000). */
  backoffMaxMs?: number;
  /** Limit for one dial, ms (default 30 000). */
  dialTimeoutMs?: number;
  /** Mux settings, applied to every session (keepalive stays off: the liveness ping does it). */
  yamux?: Omit<SessionOptions, "role" | "enableKeepAlive" | "logger">;
  /** Where it logs. */
  logger?: Logger;
}

/** What {@linkcode SessionKeeper.status} reports. */
export interface KeeperStatus {
  /** Current state. */
  state: KeeperState;
  /** When it entered that state (ISO 8601). */
  since: string;
  /** Sessions established. */
  connects: number;
  /** Sessions established after a lost one. */
  reconnects: number;
  /** Dials that failed. */
  dialFailures: number;
  /** Why the last session or dial ended. */
  lastError?: string;
  /** Round trip of the last answered ping, ms. */
  lastRttMs?: number;
  /** Unanswered pings in a row on the current session. */
  pingFailures: number;
  /** Streams open on the current session. */
  streams: number;
  /** When the next dial starts, while waiting (ISO 8601). */
  nextDialAt?: string;
}

interface Waiter {
  resolve: (session: Session | undefined) => void;
  exclude?: Session;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Keeps one yamux session (we are the yamux client) to a skysocks server over an app
 * connection, as Go 2026's skysocks-client with `--reconnect`: a liveness ping every
 * `pingIntervalMs`; `pingFailures` unanswered in a row (each `pingTimeoutMs`), or the session
 * ending, tear it down fully (connection and mux) and redial with capped exponential backoff.
 * A connection that dies without EOF is caught by the pings, not by luck.
 */
export class SessionKeeper {
  /** Settles when the keeper stops for good: `undefined` after `close()`, else why. */
  readonly stopped: Promise<Error | undefined>;
  readonly #o: SessionKeeperOptions;
  readonly #log: Logger | undefined;
  readonly #abort = new AbortController();
  readonly #waiters = new Set<Waiter>();
  #resolveStopped!: (error: Error | undefined) => void;
  #session: Session | undefined;
  #state: KeeperState = "connecting";
  #since = new Date();
  #connects = 0;
  #dialFailures = 0;
  #failuresInRow = 0;
  #lastError: string | undefined;
  #lastRttMs: number | undefined;
  #pingFailures = 0;
  #nextDialAt: Date | undefined;
  #wakeWatch: (() => void) | undefined;
  #running: Promise<void> | undefined;

  /** Create the keeper; {@linkcode start} dials. */
  constructor(options: SessionKeeperOptions) {
    this.#o = options;
    this.#log = options.logger;
    this.stopped = new Promise((resolve) => this.#resolveStopped = resolve);
  }

  /** Start dialing (idempotent). */
  start(): void {
    this.#running ??= this.#run();
  }

  /** Current state. */
  get state(): KeeperState {
    return this.#state;
  }

  /** The session, while one is up. */
  current(): Session | undefined {
    return this.#session && !this.#session.isClosed ? this.#session : undefined;
  }

  /**
   * The session, waiting up to `ms` for one (other than `exclude`, a session the caller found
   * unresponsive). `undefined` when none came in time or the keeper stopped.
   */
  waitSession(ms: number, exclude?: Session): Promise<Session | undefined> {
    const now = this.current();
    if (now && now !== exclude) return Promise.resolve(now);
    if (this.#state === "stopped" || ms <= 0) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve,
        exclude,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          resolve(undefined);
        }, ms),
      };
      this.#waiters.add(waiter);
    });
  }

  /** The caller saw `session` fail to answer: ping it now instead of at the next tick. */
  suspect(session: Session): void {
    if (session === this.#session) this.#wakeWatch?.();
  }

  /** State and counters, for the status page and the app manager. */
  status(): KeeperStatus {
    return {
      state: this.#state,
      since: this.#since.toISOString(),
      connects: this.#connects,
      reconnects: Math.max(0, this.#connects - 1),
      dialFailures: this.#dialFailures,
      lastError: this.#lastError,
      lastRttMs: this.#lastRttMs === undefined ? undefined : Math.round(this.#lastRttMs * 10) / 10,
      pingFailures: this.#pingFailures,
      streams: this.current()?.numStreams ?? 0,
      nextDialAt: this.#state === "waiting" ? this.#nextDialAt?.toISOString() : undefined,
    };
  }

  /** Waiters for a session (for leak tests). */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** Stop: end the session, stop dialing, wake every waiter. Idempotent. */
  async close(): Promise<void> {
    this.#abort.abort();
    this.#wakeWatch?.();
    if (this.#running) await this.#running;
    else this.#stop(undefined);
  }

  #setState(state: KeeperState): void {
    this.#state = state;
    this.#since = new Date();
  }

  #stop(error: Error | undefined): void {
    this.#setState("stopped");
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve(undefined);
    }
    this.#waiters.clear();
    this.#resolveStopped(error);
  }

  #up(session: Session): void {
    this.#session = session;
    this.#pingFailures = 0;
    this.#setState("up");
    for (const waiter of this.#waiters) {
      if (waiter.exclude === session) continue;
      clearTimeout(waiter.timer);
      this.#waiters.delete(waiter);
      waiter.resolve(session);
    }
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    const initialMs = this.#o.backoffInitialMs ?? BACKOFF_INITIAL_MS;
    const maxMs = this.#o.backoffMaxMs ?? BACKOFF_MAX_MS;
    const backoff = new Backoff({ initialMs, maxMs, factor: 2 });
    let failure: Error | undefined;
    while (!signal.aborted) {
      this.#setState("connecting");
      const conn = await this.#dial();
      if (!conn) {
        if (signal.aborted) break;
        await this.#wait(backoff.next());
        continue;
      }
      this.#connects++;
      const session = new Session(conn, {
        ...this.#o.yamux,
        role: "client",
        enableKeepAlive: false,
        logger: this.#log?.child("yamux"),
      });
      this.#up(session);
      this.#log?.info("session to the skysocks server is up", {
        server: this.#o.serverPk.hex(),
        connects: this.#connects,
      });
      const [reason, answered] = await this.#watch(session);
      // Full teardown: the connection first (a silent route never answers a GoAway), then the mux.
      this.#session = undefined;
      conn.close();
      await closeWithin(session.close(), { budgetMs: 5_000, logger: this.#log, what: "yamux" });
      if (signal.aborted) break;
      this.#lastError = reason;
      this.#log?.warn("session to the skysocks server lost", { reason });
      if (answered) backoff.reset(); // it worked for a while: not a flapping server
      if (this.#o.reconnect === false) {
        failure = new Error(`session lost: ${reason}`);
        break;
      }
      await this.#wait(backoff.next());
    }
    this.#stop(failure);
  }

  async #wait(ms: number): Promise<void> {
    this.#setState("waiting");
    this.#nextDialAt = new Date(Date.now() + ms);
    await sleep(ms, this.#abort.signal);
  }

  // One dial under its time limit; a dial that completes after it gave up is closed.
  async #dial() {
    const dialAbort = new AbortController();
    const signal = AbortSignal.any([dialAbort.signal, this.#abort.signal]);
    const { net, serverPk } = this.#o;
    const dialing = net.dial(serverPk, this.#o.port ?? 3, { minHops: this.#o.minHops, signal });
    try {
      const conn = await deadline(dialing, this.#o.dialTimeoutMs ?? DIAL_TIMEOUT_MS, {
        signal: this.#abort.signal,
      });
      this.#failuresInRow = 0;
      return conn;
    } catch (error) {
      dialAbort.abort();
      dialing.then((late) => late.close(), () => {});
      if (this.#abort.signal.aborted) return undefined;
      this.#dialFailures++;
      this.#failuresInRow++;
      this.#lastError = `dial: ${error instanceof Error ? error.message : String(error)}`;
      // One miss while a route or transport comes up is routine; a second in a row is news.
      const fields = { server: serverPk.hex(), error: this.#lastError };
      if (this.#failuresInRow > 1) this.#log?.warn("cannot reach the skysocks server", fields);
      else this.#log?.info("cannot reach the skysocks server yet; retrying", fields);
      return undefined;
    }
  }

  // Resolves why the session ended, and whether any ping on it was answered.
  async #watch(session: Session): Promise<[string, boolean]> {
    const interval = this.#o.pingIntervalMs ?? PING_INTERVAL_MS;
    const timeout = this.#o.pingTimeoutMs ?? PING_TIMEOUT_MS;
    const threshold = this.#o.pingFailures ?? PING_FAILURES;
    let tick = new AbortController();
    // Bound to this watch: a session that ends late must not wake the next session's watch.
    const wake = () => tick.abort();
    this.#wakeWatch = wake;
    session.closed.then(wake);
    let answered = false;
    try {
      for (;;) {
        await sleep(interval, tick.signal);
        tick = new AbortController();
        if (this.#abort.signal.aborted) return ["closed", answered];
        if (session.isClosed) return [await endReason(session), answered];
        try {
          this.#lastRttMs = await deadline(session.ping(), timeout, {
            signal: this.#abort.signal,
          });
          this.#pingFailures = 0;
          answered = true;
        } catch {
          if (this.#abort.signal.aborted) return ["closed", answered];
          if (session.isClosed) return [await endReason(session), answered];
          this.#pingFailures++;
          this.#log?.warn("liveness ping unanswered", {
            failures: this.#pingFailures,
            threshold,
          });
          if (this.#pingFailures >= threshold) {
            return [`${this.#pingFailures} liveness pings unanswered`, answered];
          }
        }
      }
    } finally {
      this.#wakeWatch = undefined;
    }
  }
}

async function endReason(session: Session): Promise<string> {
  const reason = await session.closed;
  return reason ? reason.message : "session closed";
}
