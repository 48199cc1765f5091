import type { ByteStream } from "../conn/mod.ts";
import type { HttpStreamListener } from "../dmsg_http/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { TlsServerStream } from "./_tls_stream.ts";

/** A TLS handshake that failed or did not finish within its budget. */
export class TlsHandshakeError extends Error {
  /** Create the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TlsHandshakeError";
  }
}

/** The TLS side of a {@linkcode TcpAcceptor}. */
export interface AcceptorTls {
  /**
   * Starts the server handshake on an accepted connection (a {@linkcode TlsServerStream} with
   * the certificate and key: node:tls is loaded only by servers that speak TLS).
   */
  wrap: (conn: Deno.TcpConn) => TlsServerStream;
  /** From the accept to the end of the handshake; then the connection is closed. */
  handshakeTimeoutMs: number;
  /** Hears why a handshake did not finish (not called when the owner closed it). */
  onFailure?: (error: TlsHandshakeError) => void;
}

/**
 * An accepted connection that gives back its per-IP slot when closed. With TLS the handshake
 * starts at once and must end within its budget; reads and writes wait for it, and a
 * handshake that fails or runs out of time closes the connection (and frees the slot).
 */
export class TrackedConn implements ByteStream {
  readonly #conn: Deno.TcpConn;
  readonly #io: Deno.TcpConn | TlsServerStream;
  #release: (() => void) | undefined;
  #handshake: Promise<void> | undefined;

  /** Wrap `conn`; `release` runs once, at the first close. With `tls`, serve TLS on it. */
  constructor(conn: Deno.TcpConn, release: () => void, tls?: AcceptorTls) {
    this.#conn = conn;
    this.#release = release;
    if (tls) {
      const stream = tls.wrap(conn);
      this.#io = stream;
      const done = this.#shake(stream.handshake, tls);
      done.catch(() => {});
      this.#handshake = done;
    } else {
      this.#io = conn;
    }
  }

  async #shake(handshake: Promise<void>, tls: AcceptorTls): Promise<void> {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.close();
    }, tls.handshakeTimeoutMs);
    try {
      await handshake;
      this.#handshake = undefined;
    } catch (cause) {
      // Closed by its owner (a server shutting down) is not the peer's failure.
      const closedByOwner = this.#release === undefined && !timedOut;
      this.close();
      const error = new TlsHandshakeError(
        timedOut
          ? `TLS handshake did not finish within ${tls.handshakeTimeoutMs} ms`
          : `TLS handshake failed: ${(cause as Error).message}`,
        { cause },
      );
      if (!closedByOwner) tls.onFailure?.(error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The peer's address. */
  get remoteAddr(): Deno.NetAddr {
    return this.#conn.remoteAddr;
  }

  /** {@inheritDoc ByteStream.read} */
  read(p: Uint8Array): Promise<number | null> {
    const handshake = this.#handshake;
    return handshake ? handshake.then(() => this.#io.read(p)) : this.#io.read(p);
  }

  /** {@inheritDoc ByteStream.write} */
  write(p: Uint8Array): Promise<number> {
    const handshake = this.#handshake;
    return handshake ? handshake.then(() => this.#io.write(p)) : this.#io.write(p);
  }

  /** {@inheritDoc ByteStream.closeWrite} */
  closeWrite(): Promise<void> {
    const handshake = this.#handshake;
    return handshake ? handshake.then(() => this.#io.closeWrite()) : this.#io.closeWrite();
  }

  /** Close the socket and give back the slot. Idempotent. */
  close(): void {
    const release = this.#release;
    if (!release) return;
    this.#release = undefined;
    try {
      this.#io.close();
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
  /** Where accept failures, refusals and failed TLS handshakes are noted. */
  logger?: Logger;
  /**
   * Serve TLS on every connection: the certificate and how long a connection has from its
   * accept to the end of its handshake before it is closed (its slot is held no longer).
   */
  tls?: Omit<AcceptorTls, "onFailure">;
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
  #lastLog = { refused: -Infinity, failed: -Infinity, handshake: -Infinity };
  #suppressed = { refused: 0, failed: 0, handshake: 0 };
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

  #note(
    kind: "refused" | "failed" | "handshake",
    message: string,
    fields: Record<string, unknown>,
  ): void {
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
      const release = () => {
        const left = (this.#perIp.get(ip) ?? 1) - 1;
        if (left > 0) this.#perIp.set(ip, left);
        else this.#perIp.delete(ip);
      };
      const tls = this.#options.tls;
      return new TrackedConn(
        conn,
        release,
        tls && {
          ...tls,
          // Scanners and plain-HTTP visitors end here; one line now and then says so.
          onFailure: (error) =>
            this.#note("handshake", "TLS handshakes failing; closing those connections", {
              remote: ip,
              error: error.message,
            }),
        },
      );
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
