import type { PubKey, SecKey } from "../../cipher/mod.ts";
import type { DmsgAddr } from "../addr.ts";
import type { EndpointDialOptions } from "../endpoint.ts";
import { DmsgError, DmsgErrorCode } from "../errors.ts";
import type { DmsgStream } from "../stream.ts";
import type { Logger } from "../../log/mod.ts";
import { joinHostPort, listenError, parseListenAddress } from "../../netutil/mod.ts";
import { SESSION_HANDSHAKE_TIMEOUT_MS, STREAM_HANDSHAKE_TIMEOUT_MS } from "../constants.ts";
import { type DiscoveryClient, newServerEntry } from "../disc/mod.ts";
import type { DmsgListener } from "../listener.ts";
import { acceptSession, type DmsgSession, type DmsgYamuxOptions } from "../session.ts";
import { acceptStreams, Slots } from "../_accept_streams.ts";
import { EntityCore } from "../_entity_core.ts";
import { SessionTable } from "../_session_table.ts";
import { SessionArrivals } from "./_arrivals.ts";
import { publicAddressFor } from "./public_address.ts";
import { type PeerConfig, PeerLinks } from "./peers.ts";
import { type RelayContext, relayStream } from "./relay.ts";

/** Sessions a server accepts by default (Go 2026 `MaxSessions`, 2048). */
export const DEFAULT_MAX_SESSIONS = 2048;
/** Server entry refresh period (Go `DefaultUpdateInterval`, 1 min). */
export const SERVER_UPDATE_INTERVAL_MS = 60_000;
/** Streams one session may have in the relay at once (Go 2026: 2048). */
export const MAX_STREAMS_PER_SESSION = 2048;
/** Relayed streams the whole server carries at once (Go 2026: 4096). */
export const MAX_RELAYED_STREAMS = 4096;
// A request for a client whose session handshake may be finishing waits at most this long for
// it (our value: the last handshake message takes milliseconds, a loaded server longer).
const SESSION_ARRIVAL_GRACE_MS = 1_000;

/** Options for {@linkcode startDmsgServer}. */
export interface DmsgServerOptions {
  /** The server's public key. */
  pk: PubKey;
  /** The server's secret key. */
  sk: SecKey;
  /** TCP `host:port` to listen on, e.g. `127.0.0.1:0`. */
  addr: string;
  /**
   * The `host:port` published in the discovery (default: the bound address; port 0: the bound
   * port).
   */
  publicAddress?: string;
  /** The dmsg discovery: its URL or a client for it. */
  discovery: string | DiscoveryClient;
  /** Client sessions accepted at once (default 2048); more are refused. */
  maxSessions?: number;
  /** Peer servers to dial and to accept links from (the mesh). */
  peers?: PeerConfig[];
  /**
   * Also publish a client section delegating to this server itself, so that clients which
   * only dial keys with a client entry (Go 2023/2024 dmsg) can open streams to the server's
   * own key, e.g. its route setup node on port 36. Off by default.
   */
  selfDelegated?: boolean;
  /** Entry refresh period, ms (default 1 min). */
  updateIntervalMs?: number;
  /** Entry update debounce after session changes, ms (default 1 s). */
  updateDebounceMs?: number;
  /** First peer reconnect delay, ms (default 5 s, ×1.5 up to 1 min). */
  reconnectBaseMs?: number;
  /** Session (XK) handshake limit, ms (default 5 s). */
  sessionHandshakeTimeoutMs?: number;
  /** Stream handshake limit, ms (default 5 s). */
  streamHandshakeTimeoutMs?: number;
  /** Idle timeout of streams to the server itself, ms (default 2 min). */
  streamIdleTimeoutMs?: number;
  /** Peers whose KK static-static DH is remembered (default 128, ~380 bytes each; 0: none). */
  staticDhCacheSize?: number;
  /** Streams a session may have in the relay at once (default 2048). */
  maxStreamsPerSession?: number;
  /** Relayed streams at once (default 4096). */
  maxRelayedStreams?: number;
  /** Yamux settings for sessions. */
  yamux?: DmsgYamuxOptions;
  /** One line per session, streams at debug. */
  logger?: Logger;
}

/** A running dmsg server. */
export interface DmsgServer {
  /** The server's public key. */
  readonly pk: PubKey;
  /** The TCP `host:port` actually bound. */
  readonly address: string;
  /** Listen on a dmsg port of the server's own key (e.g. 80 for `/health` over dmsg HTTP). */
  listen(port: number): DmsgListener;
  /**
   * Open a stream from the server's own key to `remote`: straight on the remote's session with
   * this server when it has one, else one hop through each peer server in turn. Throws
   * {@linkcode DmsgError} (307 when no session or peer could take it), or the signal's reason.
   */
  dial(remote: DmsgAddr, options?: EndpointDialOptions): Promise<DmsgStream>;
  /** Counters for leak tests and diagnostics. */
  stats(): Record<string, number>;
  /** Client sessions now. */
  sessionCount(): number;
  /** Sessions the server can still take (`maxSessions` minus the sessions now), as published. */
  availableSessions(): number;
  /** Public keys of the clients with a session now. */
  clients(): PubKey[];
  /**
   * Stop accepting, close every session, link, listener and timer; resolves when released.
   * With `deleteEntry`, also remove the server's entry from the discovery (as Go does).
   */
  close(options?: { deleteEntry?: boolean }): Promise<void>;
}

// A session the server takes streams from (a client's or a peer link) and its relay slots.
interface Served {
  session: DmsgSession;
  streams: Slots;
}

/**
 * The dmsg relay server: accepts sessions (XK responder, yamux server), relays streams
 * between its clients, forwards one hop to peer servers, answers streams to its own key, and
 * keeps its server entry (`availableSessions`) current in the discovery.
 */
export class DmsgServerImpl implements DmsgServer {
  readonly pk: PubKey;
  readonly address: string;
  readonly #o: DmsgServerOptions;
  readonly #listener: Deno.TcpListener;
  readonly #log: Logger | undefined;
  readonly #core: EntityCore;
  readonly #peers: PeerLinks;
  readonly #maxSessions: number;
  readonly #publicAddress: string;
  readonly #clients = new SessionTable<Served>();
  readonly #served = new Set<Served>();
  readonly #tasks = new Set<Promise<unknown>>();
  // Connections still in their XK handshake: closed at once when the server closes.
  readonly #handshaking = new Set<Deno.TcpConn>();
  // Sessions accepted but not yet registered, for requests that race their registration.
  readonly #arrivals = new SessionArrivals();
  readonly #relayContext: RelayContext;
  // Client slots: taken when a connection is accepted, before its handshake.
  readonly #admitted: Slots;
  readonly #relays: Slots;
  #piping = 0;
  #closed = false;
  #accepting: Promise<void> = Promise.resolve();

  /** Use {@linkcode startDmsgServer}. */
  constructor(options: DmsgServerOptions, listener: Deno.TcpListener) {
    this.#o = options;
    this.pk = options.pk;
    this.#listener = listener;
    const bound = listener.addr as Deno.NetAddr;
    this.address = joinHostPort(bound.hostname, bound.port);
    this.#publicAddress = publicAddressFor(options.publicAddress, this.address);
    this.#log = options.logger;
    this.#maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    this.#admitted = new Slots(this.#maxSessions);
    this.#relays = new Slots(options.maxRelayedStreams ?? MAX_RELAYED_STREAMS);
    this.#core = new EntityCore({
      pk: options.pk,
      sk: options.sk,
      discovery: options.discovery,
      updateIntervalMs: options.updateIntervalMs ?? SERVER_UPDATE_INTERVAL_MS,
      updateDebounceMs: options.updateDebounceMs,
      streamIdleTimeoutMs: options.streamIdleTimeoutMs,
      streamHandshakeTimeoutMs: options.streamHandshakeTimeoutMs,
      staticDhCacheSize: options.staticDhCacheSize,
      logger: options.logger,
      entry: {
        build: (current) => {
          const base = current ?? newServerEntry({
            pk: this.pk,
            address: this.#publicAddress,
            availableSessions: 0,
          });
          return {
            ...base,
            server: {
              ...base.server!,
              address: this.#publicAddress,
              availableSessions: BigInt(this.#available()),
            },
            client: options.selfDelegated ? { delegatedServers: [this.pk] } : null,
          };
        },
        changed: (current) =>
          current.server?.address !== this.#publicAddress ||
          current.server?.availableSessions !== BigInt(this.#available()),
      },
    });
    this.#relayContext = {
      pk: this.pk,
      endpoint: this.#core.endpoint,
      clientSession: (pk) => this.#clients.get(pk)?.session,
      sessionArriving: (pk) => this.#arrivals.wait(pk, SESSION_ARRIVAL_GRACE_MS),
      peerLinks: (preferred) => this.#peers.links(preferred),
      handshakeTimeoutMs: options.streamHandshakeTimeoutMs ?? STREAM_HANDSHAKE_TIMEOUT_MS,
      logger: options.logger,
      onPiping: (delta) => {
        this.#piping += delta;
      },
    };
    this.#peers = new PeerLinks({
      keyPair: this.#core.keyPair,
      peers: options.peers ?? [],
      reconnectBaseMs: options.reconnectBaseMs,
      yamux: options.yamux,
      logger: options.logger,
      serve: (session) => this.#serve(this.#newServed(session), true),
    });
  }

  #available(): number {
    return Math.max(0, this.#maxSessions - this.#clients.size);
  }

  /** Publish the entry, start accepting and dialing peers. */
  async start(): Promise<void> {
    this.#log?.info("dmsg server listening", {
      pk: this.pk.hex(),
      address: this.address,
      public_address: this.#publicAddress,
    });
    await this.#core.publisher.start();
    this.#accepting = this.#acceptLoop();
    this.#peers.start();
  }

  /** {@inheritDoc DmsgServer.listen} */
  listen(port: number): DmsgListener {
    return this.#core.endpoint.listen(port);
  }

  /** {@inheritDoc DmsgServer.dial} */
  async dial(remote: DmsgAddr, options: EndpointDialOptions = {}): Promise<DmsgStream> {
    const local = this.#clients.get(remote.pk)?.session;
    if (local) return await this.#core.endpoint.dial(local, remote, options);
    let last: unknown = new DmsgError(DmsgErrorCode.requestNoNextSession);
    // A peer that has no session for `remote` ends the stream without an answer (306 here).
    for (const link of this.#peers.links(remote.pk)) {
      options.signal?.throwIfAborted();
      try {
        return await this.#core.endpoint.dial(link, remote, options);
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason;
        last = error;
      }
    }
    throw last;
  }

  /** {@inheritDoc DmsgServer.sessionCount} */
  sessionCount(): number {
    return this.#clients.size;
  }

  /** {@inheritDoc DmsgServer.availableSessions} */
  availableSessions(): number {
    return this.#available();
  }

  /** {@inheritDoc DmsgServer.clients} */
  clients(): PubKey[] {
    return [...this.#clients.values()].map((served) => served.session.remotePk);
  }

  /** {@inheritDoc DmsgServer.stats} */
  stats(): Record<string, number> {
    const core = this.#core.stats([...this.#served].map((served) => served.session));
    let sessionStreams = 0;
    for (const served of this.#served) sessionStreams += served.streams.used;
    const peers = this.#peers.stats();
    return {
      sessions: this.#clients.size,
      servedSessions: this.#served.size,
      admitted: this.#admitted.used,
      peerLinksIn: peers.inbound,
      peerLinksOut: peers.outbound,
      peerDialing: peers.dialing,
      relays: this.#relays.used,
      sessionStreams,
      piping: this.#piping,
      yamuxStreams: core.yamuxStreams,
      yamuxTimers: core.yamuxTimers,
      ports: core.ports,
      listeners: core.listeners,
      streams: core.streams,
      handshakes: core.handshakes,
      timers: core.timers + peers.timers,
      tasks: this.#tasks.size,
      handshakingConns: this.#handshaking.size,
      arriving: this.#arrivals.pending,
      awaitingArrival: this.#arrivals.waiting,
    };
  }

  /** {@inheritDoc DmsgServer.close} */
  async close(options: { deleteEntry?: boolean } = {}): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#listener.close();
    } catch {
      // Already closed.
    }
    // The entry is deleted while sessions wind down, not after: the CLI's shutdown budget is
    // short.
    const publishing = this.#core.close(options.deleteEntry);
    this.#arrivals.close();
    for (const conn of this.#handshaking) {
      try {
        conn.close();
      } catch {
        // The handshake already failed and closed it.
      }
    }
    await this.#peers.close();
    await Promise.all([...this.#served].map((served) => served.session.close()));
    await this.#accepting;
    while (this.#tasks.size > 0) await Promise.all([...this.#tasks]);
    await publishing;
    this.#log?.info("dmsg server stopped", { pk: this.pk.hex() });
  }

  #track(task: Promise<unknown>): void {
    this.#tasks.add(task);
    task.finally(() => this.#tasks.delete(task));
  }

  async #acceptLoop(): Promise<void> {
    for (;;) {
      let conn: Deno.TcpConn;
      try {
        conn = await this.#listener.accept();
      } catch (error) {
        if (!this.#closed) this.#log?.error("accept failed, server stops", { error });
        return;
      }
      if (this.#closed) {
        conn.close();
        return;
      }
      // The slot is taken before any work is spawned; over the limit the connection is
      // closed at once. (Go 2024 only logs; 2026 refuses, as here.)
      if (!this.#admitted.take()) {
        this.#log?.debug("max sessions reached, connection refused", {
          remote: remoteAddress(conn),
        });
        conn.close();
        continue;
      }
      this.#track(this.#handleConn(conn));
    }
  }

  async #handleConn(conn: Deno.TcpConn): Promise<void> {
    const settle = this.#arrivals.begin();
    try {
      await this.#handshakeAndServe(conn, settle);
    } finally {
      settle();
    }
  }

  // `settle` is called once the session is registered (or on any earlier exit, by the caller).
  async #handshakeAndServe(conn: Deno.TcpConn, settle: () => void): Promise<void> {
    const address = remoteAddress(conn);
    let holdsSlot = true;
    const release = () => {
      if (holdsSlot) this.#admitted.give();
      holdsSlot = false;
    };
    let session: DmsgSession;
    try {
      try {
        conn.setNoDelay(true);
      } catch {
        // Latency only.
      }
      this.#handshaking.add(conn);
      session = await acceptSession({
        conn,
        address,
        keyPair: this.#core.keyPair,
        handshakeTimeoutMs: this.#o.sessionHandshakeTimeoutMs ?? SESSION_HANDSHAKE_TIMEOUT_MS,
        yamux: this.#o.yamux,
      }).finally(() => this.#handshaking.delete(conn));
    } catch (error) {
      release();
      this.#log?.debug("session handshake failed", { remote: address, error });
      return;
    }
    if (this.#closed) {
      release();
      await session.close();
      return;
    }
    if (this.#peers.isPeer(session.remotePk)) {
      // Peer links do not take client slots.
      release();
      settle();
      await this.#peers.adoptInbound(session);
      return;
    }
    try {
      await this.#serveClient(session, settle);
    } finally {
      release();
    }
  }

  async #serveClient(session: DmsgSession, registered: () => void): Promise<void> {
    const key = session.remotePk.hex();
    const served = this.#newServed(session);
    // A newer session for the same key replaces the older one (whose cleanup below is
    // identity-checked and leaves this one alone).
    const older = this.#clients.replace(session.remotePk, served);
    this.#arrivals.arrived(session.remotePk);
    registered();
    this.#log?.info("session opened", { remote_pk: key, remote: session.address });
    older?.session.close();
    this.#core.publisher.nudge();
    try {
      await this.#serve(served, false);
    } finally {
      if (this.#clients.release(session.remotePk, served) && !this.#closed) {
        this.#core.publisher.nudge();
      }
      this.#log?.info("session closed", { remote_pk: key, remote: session.address });
    }
  }

  #newServed(session: DmsgSession): Served {
    return {
      session,
      streams: new Slots(this.#o.maxStreamsPerSession ?? MAX_STREAMS_PER_SESSION),
    };
  }

  // Take the session's streams until it ends, each through the relay, within the session's and
  // the server's relay caps. Resolves once the session and all its streams are done.
  async #serve(served: Served, peer: boolean): Promise<void> {
    const { session } = served;
    this.#served.add(served);
    try {
      await acceptStreams(session, {
        slots: [served.streams, this.#relays],
        serve: (stream) => relayStream(this.#relayContext, session, stream, peer),
        onRefused: () => {
          this.#log?.debug("relay capacity reached, stream refused", {
            remote_pk: session.remotePk.hex(),
          });
        },
      });
    } finally {
      this.#served.delete(served);
    }
  }
}

function remoteAddress(conn: Deno.Conn): string {
  const addr = conn.remoteAddr as Deno.NetAddr;
  return joinHostPort(addr.hostname, addr.port);
}

/** Start a dmsg server: bind, publish the entry, accept sessions, dial peers. */
export async function startDmsgServer(options: DmsgServerOptions): Promise<DmsgServer> {
  const { hostname, port } = parseListenAddress(options.addr.trim());
  let listener: Deno.TcpListener;
  try {
    listener = Deno.listen({ hostname, port, transport: "tcp" });
  } catch (error) {
    throw listenError(error, options.addr);
  }
  const server = new DmsgServerImpl(options, listener);
  try {
    await server.start();
  } catch (error) {
    await server.close();
    throw error;
  }
  return server;
}
