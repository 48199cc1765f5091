import type { ByteStream } from "../conn/mod.ts";
import type { HttpStreamListener } from "../dmsg_http/mod.ts";
import type { Logger } from "../log/mod.ts";

/** An accepted TCP connection that gives back its per-IP slot when closed. */
export class TrackedConn implements ByteStream {
  readonly #conn: Deno.TcpConn;
  #release: (() => void) | undefined;

  /** Wrap `conn`; `release` runs once, at the first close. */
  constructor(conn: Deno.TcpConn, release: () => void) {
    this.#conn = conn;
    this.#release = release;
  }

  /** The peer's address. */
  get remoteAddr(): Deno.NetAddr {
    return this.#conn.remoteAddr;
  }

  /** {@inheritDoc ByteStream.read} */
  read(p: Uint8Array): Promise<number | null> {
    return this.#conn.read(p);
  }

  /** {@inheritDoc ByteStream.write} */
  write(p: Uint8Array): Promise<number> {
    return this.#conn.write(p);
  }

  /** {@inheritDoc ByteStream.closeWrite} */
  closeWrite(): Promise<void> {
    return this.#conn.closeWrite();
  }

  /** Close the socket and give back the slot. Idempotent. */
  close(): void {
    const release = this.#release;
    if (!release) return;
    this.#release = undefined;
    try {
      this.#conn.close();
    } finally {
      release();
    }
  }
}

/**
 * This host's own loopback addresses: local tools, the node's own services, and a reverse
 * proxy in front of it all come from here, so one cap would throttle them all together.
 */
const OWN_HOST = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/** Options for {@linkcode TcpAcceptor}. */
export interface TcpAcceptorOptions {
  /**
   * Connections one remote IP may hold at once; more are closed as they arrive. This host's
   * own address (127.0.0.1, ::1) is not capped.
   */
  maxPerIp: number;
  /** Where accept failures and refusals are noted. */
  logger?: Logger;
}

// Accept errors (EMFILE and the like) back off from this, doubling up to the maximum.
const BACKOFF_MIN_MS = 10;
const BACKOFF_MAX_MS = 1_000;
// Refusals and accept failures are logged at most this often.
const LOG_EVERY_MS = 10_000;

/**
 * Accepts TCP connections for an HTTP server: at most `maxPerIp` per remote IP (the rest are
 * closed at once, freeing their file descriptors), and an accept that fails (`EMFILE` at the
 * file limit, a connection reset before it was taken) is retried after a backoff instead of
 * ending the server. `null` once closed.
 */
export class TcpAcceptor implements HttpStreamListener<TrackedConn> {
  readonly #listener: Deno.TcpListener;
  readonly #options: TcpAcceptorOptions;
  readonly #perIp = new Map<string, number>();
  #closed = false;
  #backoff = BACKOFF_MIN_MS;
  #lastLog = { refused: -Infinity, failed: -Infinity };
  #suppressed = { refused: 0, failed: 0 };
  #wake: (() => void) | undefined;

  /** Accept from `listener`, which this acceptor owns from now on. */
  constructor(listener: Deno.TcpListener, options: TcpAcceptorOptions) {
    this.#listener = listener;
    this.#options = options;
  }

  /** Connections held now, per remote IP (a copy). */
  get perIp(): Map<string, number> {
    return new Map(this.#perIp);
  }

  #note(kind: "refused" | "failed", message: string, fields: Record<string, unknown>): void {
    const now = performance.now();
    if (now - this.#lastLog[kind] < LOG_EVERY_MS) {
      this.#suppressed[kind]++;
      return;
    }
    const suppressed = this.#suppressed[kind];
    this.#lastLog[kind] = now;
    this.#suppressed[kind] = 0;
    const log = this.#options.logger;
    const all = suppressed ? { ...fields, more_since_last_line: suppressed } : fields;
    if (kind === "failed") log?.warn(message, all);
    else log?.info(message, all);
  }

  async #pause(ms: number): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#wake = resolve;
    const timer = setTimeout(resolve, ms);
    await promise;
    clearTimeout(timer);
    this.#wake = undefined;
  }

  /** The next connection within its IP's cap; `null` once closed. */
  async accept(): Promise<TrackedConn | null> {
    while (!this.#closed) {
      let conn: Deno.TcpConn;
      try {
        conn = await this.#listener.accept();
      } catch (error) {
        if (this.#closed) return null;
        this.#note("failed", "cannot accept connections; retrying", {
          error,
          backoff_ms: this.#backoff,
        });
        await this.#pause(this.#backoff);
        this.#backoff = Math.min(this.#backoff * 2, BACKOFF_MAX_MS);
        continue;
      }
      this.#backoff = BACKOFF_MIN_MS;
      try {
        // As Go's net/http: an answer's last segment must not wait for the peer's delayed ACK
        // of the one before (40 ms on Linux for every answer sent in more than one write).
        conn.setNoDelay(true);
      } catch {
        // Reset already; the first read or write says so.
      }
      const ip = conn.remoteAddr.hostname;
      const held = this.#perIp.get(ip) ?? 0;
      if (held >= this.#options.maxPerIp && !OWN_HOST.has(ip)) {
        try {
          conn.close();
        } catch {
          // Already gone.
        }
        this.#note("refused", "too many connections from one address; closing new ones", {
          remote: ip,
          limit: this.#options.maxPerIp,
        });
        continue;
      }
      this.#perIp.set(ip, held + 1);
      return new TrackedConn(conn, () => {
        const left = (this.#perIp.get(ip) ?? 1) - 1;
        if (left > 0) this.#perIp.set(ip, left);
        else this.#perIp.delete(ip);
      });
    }
    return null;
  }

  /** Stop accepting and close the listening socket. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake?.();
    try {
      this.#listener.close();
    } catch {
      // Already closed.
    }
  }
}
