import type { PubKey } from "../../cipher/mod.ts";
import { TcpStream } from "../../conn/mod.ts";
import type { DmsgAddr } from "../addr.ts";
import type { EndpointDialOptions } from "../endpoint.ts";
import { DmsgError, DmsgErrorCode } from "../errors.ts";
import type { DmsgStream } from "../stream.ts";
import type { Logger } from "../../log/mod.ts";
import { joinHostPort, listenError, parseListenAddress } from "../../netutil/mod.ts";
import { SESSION_HANDSHAKE_TIMEOUT_MS, STREAM_HANDSHAKE_TIMEOUT_MS } from "../constants.ts";
import { newServerEntry } from "../disc/mod.ts";
import type { DmsgListener } from "../listener.ts";
import { acceptSession, type DmsgSession } from "../session.ts";
import { acceptStreams, Slots } from "../_accept_streams.ts";
import { EntityCore } from "../_entity_core.ts";
import { SessionTable } from "../_session_table.ts";
import { SessionArrivals } from "./_arrivals.ts";
import { AcceptLoop } from "./_accept_loop.ts";
import { AddressSessions } from "./_address_sessions.ts";
import { HandshakeBudget } from "./_handshake_budget.ts";
import { publicAddressFor } from "./public_address.ts";
import { PeerLinks } from "./peers.ts";
import {
  DEFAULT_MAX_SESSIONS,
  DEFAULT_MAX_SESSIONS_PER_ADDRESS,
  type DmsgServerOptions,
  MAX_BUFFERED_BYTES_PER_SESSION,
  MAX_PENDING_STREAMS,
  MAX_PENDING_STREAMS_PER_SESSION,
  MAX_RELAYED_STREAMS,
  MAX_SESSION_HANDSHAKES,
  MAX_SESSION_HANDSHAKES_PER_ADDRESS,
  MAX_STREAMS_PER_SESSION,
  SERVER_UPDATE_INTERVAL_MS,
} from "./options.ts";
import { type RelayContext, relayStream } from "./relay.ts";

// A request for a client whose session handshake may be finishing waits at most this long for
// it (our value: the last handshake message takes milliseconds, a loaded server longer).
const SESSION_ARRIVAL_GRACE_MS = 1_000;
// Sessions refused for their address are logged at info at most this often, the rest at debug.
const REFUSAL_LOG_EVERY_MS = 10_000;

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
  /**
   * Sessions the server can still take (`maxSessions` minus the sessions now; 0 while accepting
   * connections fails), as published.
   */
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
  pending: Slots;
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
  // Connections still in their XK handshake (closed at once when the server closes).
  readonly #handshakes: HandshakeBudget;
  // Client sessions per address group (peer links do not count).
  readonly #perAddress: AddressSessions;
  // Sessions accepted but not yet registered, for requests that race their registration.
  readonly #arrivals = new SessionArrivals();
  readonly #relayContext: RelayContext;
  readonly #relays: Slots;
  readonly #pendingRelays: Slots;
  #piping = 0;
  #closed = false;
  #accepting: AcceptLoop | undefined;

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
    this.#handshakes = new HandshakeBudget(
      options.maxHandshakes ?? MAX_SESSION_HANDSHAKES,
      options.maxHandshakesPerAddress ?? MAX_SESSION_HANDSHAKES_PER_ADDRESS,
    );
    this.#perAddress = new AddressSessions(
      options.maxSessionsPerAddress ?? DEFAULT_MAX_SESSIONS_PER_ADDRESS,
      options.limitLoopback ?? false,
    );
    this.#relays = new Slots(options.maxRelayedStreams ?? MAX_RELAYED_STREAMS);
    this.#pendingRelays = new Slots(options.maxPendingStreams ?? MAX_PENDING_STREAMS);
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

  // What the entry offers: nothing while accepting fails, so clients pick other servers (Go's
  // discovery leaves servers offering 0 out of `available_servers`).
  #available(): number {
    if (this.#accepting?.failing) return 0;
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
    this.#accepting = new AcceptLoop({
      listener: this.#listener,
      admit: (conn) => this.#admit(conn),
      onFailing: () => {
        if (!this.#closed) this.#core.publisher.nudge();
      },
      logger: this.#log,
    });
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
    let sessionPending = 0;
    for (const served of this.#served) {
      sessionStreams += served.streams.used;
      sessionPending += served.pending.used;
    }
    const peers = this.#peers.stats();
    return {
      sessions: this.#clients.size,
      servedSessions: this.#served.size,
      sessionHandshakes: this.#handshakes.size,
      handshakeAddresses: this.#handshakes.groups,
      handshakesEvicted: this.#handshakes.evicted,
      sessionAddresses: this.#perAddress.groups,
      addressSessions: this.#perAddress.held,
      addressRefused: this.#perAddress.refused,
      acceptFailing: this.#accepting?.failing ? 1 : 0,
      peerLinksIn: peers.inbound,
      peerLinksOut: peers.outbound,
      peerDialing: peers.dialing,
      relays: this.#relays.used,
      pendingRelays: this.#pendingRelays.used,
      sessionStreams,
      sessionPending,
      piping: this.#piping,
      yamuxStreams: core.yamuxStreams,
      yamuxTimers: core.yamuxTimers,
      bufferedBytes: core.yamuxBufferedBytes,
      ports: core.ports,
      listeners: core.listeners,
      streams: core.streams,
      handshakes: core.handshakes,
      timers: core.timers + peers.timers,
      tasks: this.#tasks.size,
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
    this.#accepting?.stop();
    this.#handshakes.evictAll();
    await this.#peers.close();
    await Promise.all([...this.#served].map((served) => served.session.close()));
    await this.#accepting?.done;
    while (this.#tasks.size > 0) await Promise.all([...this.#tasks]);
    await publishing;
    this.#log?.info("dmsg server stopped", { pk: this.pk.hex() });
  }

  #track(task: Promise<unknown>): void {
    this.#tasks.add(task);
    task.finally(() => this.#tasks.delete(task));
  }

  // A handshake place is taken before any work is spawned; a connection from an address with
  // its share of handshakes under way is closed at once. Sessions are counted only once the
  // handshake is done, so idle connections never lock clients out.
  #admit(raw: Deno.TcpConn): void {
    const conn = new TcpStream(raw);
    const remote = conn.remoteAddr;
    const admission = this.#handshakes.admit(remote.hostname, () => conn.close());
    if (!admission) {
      this.#log?.debug("too many handshakes from one address, connection refused", {
        remote: joinHostPort(remote.hostname, remote.port),
      });
      conn.close();
      return;
    }
    this.#track(this.#handleConn(conn, admission.release));
  }

  async #handleConn(conn: TcpStream, handshakeDone: () => void): Promise<void> {
    const settle = this.#arrivals.begin();
    try {
      await this.#handshakeAndServe(conn, handshakeDone, settle);
    } finally {
      handshakeDone();
      settle();
    }
  }

  // `settle` is called once the session is registered (or on any earlier exit, by the caller).
  async #handshakeAndServe(
    conn: TcpStream,
    handshakeDone: () => void,
    settle: () => void,
  ): Promise<void> {
    const address = joinHostPort(conn.remoteAddr.hostname, conn.remoteAddr.port);
    let session: DmsgSession;
    try {
      conn.setNoDelay(true);
      session = await acceptSession({
        conn,
        address,
        keyPair: this.#core.keyPair,
        handshakeTimeoutMs: this.#o.sessionHandshakeTimeoutMs ?? SESSION_HANDSHAKE_TIMEOUT_MS,
        yamux: this.#o.yamux,
      }).finally(handshakeDone);
    } catch (error) {
      this.#log?.debug("session handshake failed", { remote: address, error });
      return;
    }
    if (this.#closed) {
      await session.close();
      return;
    }
    if (this.#peers.isPeer(session.remotePk)) {
      // Peer links do not take client slots.
      settle();
      await this.#peers.adoptInbound(session);
      return;
    }
    // The address's share first, then the server's. Only a client replacing its own session
    // gets in past either. (Go 2024 counts connections per IP from accept, and only logs at
    // max_sessions; 2026 refuses at accept, which lets idle connections hold the places.)
    const replacing = this.#clients.has(session.remotePk);
    const place = this.#perAddress.admit(conn.remoteAddr.hostname, replacing);
    const fields = { remote_pk: session.remotePk.hex(), remote: address };
    if (!place) {
      const refused = this.#perAddress.refusalsToLog(REFUSAL_LOG_EVERY_MS);
      const limit = this.#perAddress.perAddress;
      const line = "sessions per address reached, session refused";
      if (refused === undefined) this.#log?.debug(line, { ...fields, limit });
      else this.#log?.info(line, { ...fields, limit, refused_since_last_line: refused });
      await session.close();
      return;
    }
    try {
      if (this.#clients.size >= this.#maxSessions && !replacing) {
        this.#log?.debug("max sessions reached, session refused", fields);
        await session.close();
        return;
      }
      await this.#serveClient(session, settle);
    } finally {
      place.release();
    }
  }

  async #serveClient(session: DmsgSession, registered: () => void): Promise<void> {
    const key = session.remotePk.hex();
    const served = this.#newServed(session);
    // What a client's streams may hold unread here, whichever relays stall (peer links, which
    // carry many clients' streams, keep only yamux's windows).
    session.yamux.setBufferBudget(
      this.#o.maxBufferedBytesPerSession ?? MAX_BUFFERED_BYTES_PER_SESSION,
    );
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
      pending: new Slots(this.#o.maxPendingStreamsPerSession ?? MAX_PENDING_STREAMS_PER_SESSION),
    };
  }

  // Take the session's streams until it ends, each through the relay, within the session's and
  // the server's relay caps; a stream waiting for its answer also holds a pending place, the
  // session's first, so one client cannot take the server's. Resolves once the session and all
  // its streams are done.
  async #serve(served: Served, peer: boolean): Promise<void> {
    const { session } = served;
    this.#served.add(served);
    try {
      await acceptStreams(session, {
        handshakeSlots: [served.pending, this.#pendingRelays],
        slots: [served.streams, this.#relays],
        serve: (stream, handshakeDone) =>
          relayStream(this.#relayContext, session, stream, peer, handshakeDone),
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
