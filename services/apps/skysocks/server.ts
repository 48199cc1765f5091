import type { AppConn, AppListener, AppNet } from "../../../mod/appnet/mod.ts";
import type { Logger } from "../../../mod/log/mod.ts";
import { type DialedTarget, serveSocks5, type SocksAddress } from "../../../mod/socks5/mod.ts";
import { Session, type SessionOptions, type Stream } from "../../../mod/yamux/mod.ts";
import { DEFAULT_MAX_CONNECTIONS, SERVER_KEEPALIVE_MS, SKYSOCKS_PORT } from "./constants.ts";
import { passcodeCheck } from "./passcode.ts";

/** Options for {@linkcode SkysocksServer.start}. */
export interface SkysocksServerOptions {
  /** The network to listen on. */
  net: AppNet;
  /** The port (default 3). */
  port?: number;
  /** When set, clients must authenticate with it (RFC 1929; user or password may carry it). */
  passcode?: string;
  /** SOCKS connections relayed at once (default 1 024); further streams are closed at once. */
  maxConnections?: number;
  /** The SOCKS negotiation limit, ms (default 15 000). */
  handshakeTimeoutMs?: number;
  /** The connect-to-target limit, ms (default 30 000). */
  connectTimeoutMs?: number;
  /** How often each client session is pinged, ms (default 30 000). */
  keepAliveIntervalMs?: number;
  /** Which targets may be reached (default: all, as Go's skysocks). */
  allow?: (target: SocksAddress) => boolean | Promise<boolean>;
  /** Connect to a target (default TCP). */
  dial?: (target: SocksAddress, signal: AbortSignal) => Promise<DialedTarget>;
  /** Where it logs. */
  logger?: Logger;
}

/** Counters of a {@linkcode SkysocksServer}; all 0 once it is closed. */
export interface SkysocksServerStats {
  /** Client sessions (one per app connection). */
  sessions: number;
  /** SOCKS connections being served. */
  connections: number;
  /** SOCKS connections served since start. */
  served: number;
  /** Streams closed because `maxConnections` were busy. */
  refused: number;
}

/**
 * The skysocks server (Go `skysocks`): listens on app port 3; each app connection carries a
 * yamux session (we are the yamux server), and each yamux stream is one SOCKS5 connection served
 * end to end ({@linkcode serveSocks5}: the client's own handshake, CONNECT to the target, relay).
 */
export class SkysocksServer {
  readonly #o: SkysocksServerOptions;
  readonly #log: Logger | undefined;
  readonly #listener: AppListener;
  readonly #sessions = new Set<Session>();
  readonly #abort = new AbortController();
  readonly #tasks = new Set<Promise<void>>();
  readonly #authenticate: ((user: string, password: string) => boolean) | undefined;
  #connections = 0;
  #served = 0;
  #refused = 0;
  #closing: Promise<void> | undefined;
  readonly #accepting: Promise<void>;

  private constructor(options: SkysocksServerOptions, listener: AppListener) {
    this.#o = options;
    this.#log = options.logger;
    this.#listener = listener;
    this.#authenticate = options.passcode ? passcodeCheck(options.passcode) : undefined;
    this.#accepting = this.#acceptLoop();
  }

  /** Listen on the port and serve; throws when the port is taken. */
  static start(options: SkysocksServerOptions): SkysocksServer {
    const listener = options.net.listen(options.port ?? SKYSOCKS_PORT);
    return new SkysocksServer(options, listener);
  }

  /** Counters for status pages and leak tests. */
  stats(): SkysocksServerStats {
    return {
      sessions: this.#sessions.size,
      connections: this.#connections,
      served: this.#served,
      refused: this.#refused,
    };
  }

  /** Stop: free the port, end every session and SOCKS connection, wait for them. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#abort.abort();
      this.#listener.close();
      for (const session of this.#sessions) session.close();
      await this.#accepting;
      while (this.#tasks.size) await Promise.all(this.#tasks);
    })();
    return this.#closing;
  }

  #track(task: Promise<void>): void {
    this.#tasks.add(task);
    task.finally(() => this.#tasks.delete(task));
  }

  async #acceptLoop(): Promise<void> {
    for (;;) {
      const conn = await this.#listener.accept();
      if (!conn) return;
      if (this.#abort.signal.aborted) {
        conn.close();
        return;
      }
      this.#track(this.#serveSession(conn));
    }
  }

  async #serveSession(conn: AppConn): Promise<void> {
    const options: SessionOptions = {
      role: "server",
      enableKeepAlive: true,
      keepAliveInterval: this.#o.keepAliveIntervalMs ?? SERVER_KEEPALIVE_MS,
      logger: this.#log?.child("yamux"),
    };
    const session = new Session(conn, options);
    this.#sessions.add(session);
    const peer = conn.remoteAddr?.pk.hex();
    this.#log?.info("skysocks client connected", { peer });
    try {
      for (;;) {
        const stream = await session.accept();
        if (!stream) break;
        const max = this.#o.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
        // The slot is taken before the work is spawned, so a burst cannot overshoot the limit.
        if (this.#connections >= max) {
          this.#refused++;
          this.#log?.warn("too many SOCKS connections, refusing a stream", { max });
          stream.close();
          continue;
        }
        this.#connections++;
        this.#track(this.#serveStream(stream));
      }
    } finally {
      session.close();
      await session.closed;
      this.#sessions.delete(session);
      this.#log?.info("skysocks client disconnected", { peer });
    }
  }

  async #serveStream(stream: Stream): Promise<void> {
    try {
      await serveSocks5(stream, {
        authenticate: this.#authenticate,
        allow: this.#o.allow,
        dial: this.#o.dial,
        handshakeTimeoutMs: this.#o.handshakeTimeoutMs,
        connectTimeoutMs: this.#o.connectTimeoutMs,
        signal: this.#abort.signal,
        logger: this.#log,
      });
    } finally {
      this.#connections--;
      this.#served++;
    }
  }
}
