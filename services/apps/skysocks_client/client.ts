import type { Logger } from "../../../mod/log/mod.ts";
import { listenError, parseHostPort } from "../../../mod/netutil/mod.ts";
import {
  DEFAULT_CLIENT_ADDR,
  EXIT_REPLY_TIMEOUT_MS,
  HANDSHAKE_TIMEOUT_MS,
  MAX_CONNECTIONS,
  REQUEST_WAIT_MS,
} from "./constants.ts";
import { relayConnection } from "./relay.ts";
import { SessionKeeper, type SessionKeeperOptions } from "./session_keeper.ts";
import type { ClientStatus } from "./status_page.ts";

/** Options for {@linkcode SkysocksClient.start}. */
export interface SkysocksClientOptions extends SessionKeeperOptions {
  /** Where the SOCKS port listens (default `127.0.0.1:1080`; a bare `:PORT` is loopback too). */
  addr?: string;
  /** How long a request waits for a session before it gets "network unreachable", ms (20 000). */
  requestWaitMs?: number;
  /** How long the exit may take to answer a greeting before another session is tried (10 000). */
  exitReplyTimeoutMs?: number;
  /** The local clients' SOCKS negotiation limit, ms (15 000). */
  handshakeTimeoutMs?: number;
  /** Local SOCKS connections at once (1 024); more are closed on accept. */
  maxConnections?: number;
}

/** Counters of a {@linkcode SkysocksClient}; `connections` and `waiting` are 0 once closed. */
export interface SkysocksClientStats {
  /** Local SOCKS connections being served. */
  connections: number;
  /** Requests waiting for a session. */
  waiting: number;
  /** Local connections served since start. */
  served: number;
  /** Local connections closed at accept because `maxConnections` were busy. */
  refused: number;
}

/**
 * The skysocks client (Go `skysocks-client`): a local SOCKS5 port whose connections travel, one
 * yamux stream each, through a session to a skysocks server ({@linkcode SessionKeeper} keeps it
 * alive and redials it). The SOCKS port stays bound through reconnects; `status.skysocks` is
 * answered here.
 */
export class SkysocksClient {
  /** The address the SOCKS port is bound to. */
  readonly addr: Deno.NetAddr;
  /**
   * Settles when the client stops by itself (its session lost with `reconnect: false`), with
   * why; or `undefined` after {@linkcode close}.
   */
  readonly stopped: Promise<Error | undefined>;
  readonly #o: SkysocksClientOptions;
  readonly #log: Logger | undefined;
  readonly #listener: Deno.TcpListener;
  readonly #keeper: SessionKeeper;
  readonly #conns = new Set<Deno.TcpConn>();
  readonly #tasks = new Set<Promise<unknown>>();
  readonly #startedAt = new Date();
  #served = 0;
  #refused = 0;
  #unreachable = 0;
  #closing: Promise<void> | undefined;
  readonly #accepting: Promise<void>;

  private constructor(options: SkysocksClientOptions, listener: Deno.TcpListener) {
    this.#o = options;
    this.#log = options.logger;
    this.#listener = listener;
    this.addr = listener.addr;
    this.#keeper = new SessionKeeper(options);
    this.stopped = this.#keeper.stopped.then(async (error) => {
      if (error) {
        this.#log?.error("skysocks-client stops: its session is gone and reconnect is off", {
          error: error.message,
        });
        await this.close();
      }
      return error;
    });
    this.#keeper.start();
    this.#accepting = this.#acceptLoop();
  }

  /** Bind the SOCKS port and start dialing the server; throws when the port is taken. */
  static start(options: SkysocksClientOptions): SkysocksClient {
    const addr = options.addr ?? DEFAULT_CLIENT_ADDR;
    // A bare port means loopback: a proxy into the mesh is not for the whole LAN by accident.
    const where = parseHostPort(addr, "127.0.0.1");
    if (!where) throw new RangeError(`invalid SOCKS listen address "${addr}" (want host:port)`);
    let listener: Deno.TcpListener;
    try {
      listener = Deno.listen({ hostname: where.hostname, port: where.port });
    } catch (error) {
      throw listenError(error, addr);
    }
    return new SkysocksClient(options, listener);
  }

  /** The state `status.skysocks` shows. */
  status(): ClientStatus {
    return {
      app: "skysocks-client",
      listening: `${this.addr.hostname}:${this.addr.port}`,
      server: this.#o.serverPk.hex(),
      reconnect: this.#o.reconnect !== false,
      startedAt: this.#startedAt.toISOString(),
      connections: this.#conns.size,
      served: this.#served,
      unreachable: this.#unreachable,
      session: this.#keeper.status(),
    };
  }

  /** Counters for leak tests. */
  stats(): SkysocksClientStats {
    return {
      connections: this.#conns.size,
      waiting: this.#keeper.waiting,
      served: this.#served,
      refused: this.#refused,
    };
  }

  /** Stop: unbind the port, end the session and every local connection. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        this.#listener.close();
      } catch {
        // Closed already.
      }
      await this.#keeper.close();
      for (const conn of this.#conns) {
        try {
          conn.close();
        } catch {
          // Its relay closed it a moment ago.
        }
      }
      await this.#accepting;
      while (this.#tasks.size) await Promise.all(this.#tasks);
    })();
    return this.#closing;
  }

  async #acceptLoop(): Promise<void> {
    const max = this.#o.maxConnections ?? MAX_CONNECTIONS;
    const ctx = {
      keeper: this.#keeper,
      requestWaitMs: this.#o.requestWaitMs ?? REQUEST_WAIT_MS,
      exitReplyTimeoutMs: this.#o.exitReplyTimeoutMs ?? EXIT_REPLY_TIMEOUT_MS,
      handshakeTimeoutMs: this.#o.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
      status: () => this.status(),
      onUnreachable: () => this.#unreachable++,
      logger: this.#log,
    };
    try {
      for await (const conn of this.#listener) {
        if (this.#closing || this.#conns.size >= max) {
          if (!this.#closing) {
            this.#refused++;
            this.#log?.warn("too many local SOCKS connections, closing one", { max });
          }
          conn.close();
          continue;
        }
        conn.setNoDelay(true);
        this.#conns.add(conn);
        const task = relayConnection(conn, ctx).finally(() => {
          this.#conns.delete(conn);
          this.#served++;
          this.#tasks.delete(task);
        });
        this.#tasks.add(task);
      }
    } catch (error) {
      if (!this.#closing) this.#log?.error("SOCKS listener failed", { error });
    }
  }
}
