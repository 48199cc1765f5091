import { shuffle } from "@std/random";
import type { PubKey, SecKey } from "../cipher/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { DmsgAddr } from "./addr.ts";
import {
  CLIENT_UPDATE_INTERVAL_MS,
  DEFAULT_CLIENT_TYPE,
  DEFAULT_SESSIONS_COUNT,
  RECONNECT_BASE_MS,
  RECONNECT_FACTOR,
  RECONNECT_MAX_MS,
  SESSION_PING_INTERVAL_MS,
} from "./constants.ts";
import { type DiscoveryClient, DiscoveryError, type Entry, newClientEntry } from "./disc/mod.ts";
import { DmsgError, DmsgErrorCode } from "./errors.ts";
import type { DmsgListener } from "./listener.ts";
import { dialSession, type DmsgSession, type DmsgYamuxOptions } from "./session.ts";
import type { DmsgStream } from "./stream.ts";
import { DialCaches } from "./_dial_caches.ts";
import { runDialLadder } from "./_dial_ladder.ts";
import { acceptStreams, Slots } from "./_accept_streams.ts";
import { EntityCore } from "./_entity_core.ts";
import { SessionTable } from "./_session_table.ts";
import { SharedDial } from "./_shared_dial.ts";

// Incoming stream handshakes a session may run at once; more are refused (Go: 2048 per session).
const MAX_INCOMING_HANDSHAKES = 2048;
// The first ping waits this long, so it never rides in one TCP read with the last handshake
// message at a Go server (which rejects bytes buffered past the handshake, error 203).
const FIRST_PING_DELAY_MS = 1_000;

/** Options for {@linkcode DmsgClient}. */
export interface DmsgClientOptions {
  /** Our public key. */
  pk: PubKey;
  /** Our secret key. */
  sk: SecKey;
  /** The dmsg discovery: its URL or a client for it. */
  discovery: string | DiscoveryClient;
  /** Sessions to keep (default 1, Go `MinSessions`). */
  sessionsCount?: number;
  /** `client_type` in our entry (default `visor`). */
  clientType?: string;
  /** Static servers from the config, tried before those the discovery lists. */
  servers?: Entry[];
  /** Logs one line per session event, streams at debug. */
  logger?: Logger;
  /** Entry refresh period, ms (default 5 min). */
  updateIntervalMs?: number;
  /** Entry update debounce after session changes, ms (default 1 s). */
  updateDebounceMs?: number;
  /** First reconnect delay, ms (default 5 s; grows ×1.5 up to 1 min). */
  reconnectBaseMs?: number;
  /** Session ping period, ms (default 1 h). */
  pingIntervalMs?: number;
  /** Stream handshake limit, ms (default 5 s). */
  streamHandshakeTimeoutMs?: number;
  /** Stream idle timeout, ms (default 2 min; 0 disables). */
  streamIdleTimeoutMs?: number;
  /** Streams a listener holds before they are accepted (default 256). */
  acceptBuffer?: number;
  /** Peers whose KK static-static DH is remembered (default 128, ~380 bytes each; 0: none). */
  staticDhCacheSize?: number;
  /** Yamux settings for sessions. */
  yamux?: DmsgYamuxOptions;
  /**
   * The key pair was just made (a throw-away identity, as `dmsg curl`'s): no entry can be
   * stored under it, so the first publish registers without asking for one first.
   */
  freshKey?: boolean;
  /**
   * The client only dials and is never dialed (a one-shot client such as `dmsg curl`): its entry
   * lists no delegated servers, so no entry update follows each session (nor delays closing);
   * {@linkcode DmsgClient.ready} never resolves.
   */
  dialOnly?: boolean;
}

/** Per-dial options for {@linkcode DmsgClient.dialStream}. */
export interface DialStreamOptions {
  /** Abort the dial. */
  signal?: AbortSignal;
  /** Dial only through our existing session to this server (no discovery lookup). */
  server?: PubKey;
  /**
   * The destination's entry, when the caller already looked it up (e.g. while the client
   * started): the dial then skips its own lookup. Ignored unless it is the destination's.
   */
  entry?: Entry;
}

/** One of our sessions, as {@linkcode DmsgClient.sessions} lists it. */
export interface ClientSessionInfo {
  /** The server's key. */
  serverPk: PubKey;
  /** The server's TCP address. */
  address: string;
  /** Last measured round trip, ms. */
  latencyMs?: number;
}

// Servers are tried in crypto-random order, so no one can predict which server a client picks.
function cryptoRandom(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] / 2 ** 32;
}

/**
 * A dmsg client entity (Go `dmsg.Client`): keeps sessions to dmsg servers, publishes its
 * client entry (delegated servers) in the discovery, listens on ports and dials streams to
 * other entities through the servers.
 *
 * Lifecycle: {@linkcode start} registers the entry (sequence 0, or the next iteration of an
 * existing one) before dialing any server, then connects (static servers first, then the
 * discovery's available servers in crypto-random order) until `sessionsCount` sessions are up;
 * lost sessions are replaced with a backoff of 5 s growing ×1.5 up to 1 min. Entry updates
 * follow session changes (the first at once, then debounced 1 s) and refresh every 5 min.
 * {@linkcode close} releases everything; the entry stays in the discovery unless asked.
 */
export class DmsgClient {
  /** Our public key. */
  readonly pk: PubKey;
  readonly #o: DmsgClientOptions;
  readonly #log: Logger | undefined;
  readonly #core: EntityCore;
  readonly #caches = new DialCaches();
  readonly #abort = new AbortController();
  readonly #sessions = new SessionTable<DmsgSession>();
  // Session dials under way, shared by every caller that needs that server.
  readonly #dialing = new SessionTable<SharedDial<DmsgSession>>();
  readonly #pingTimers = new Map<DmsgSession, ReturnType<typeof setTimeout>>();
  readonly #serving = new Set<Promise<void>>();
  readonly #incoming = new Slots();
  #sessionsCount: number;
  #started = false;
  #closed = false;
  #maintaining: Promise<void> = Promise.resolve();
  #wake: (() => void) | undefined;
  #ready = Promise.withResolvers<void>();
  #readyDone = false;

  /** Create the client; nothing happens until {@linkcode start}. */
  constructor(options: DmsgClientOptions) {
    this.#o = options;
    this.pk = options.pk;
    this.#sessionsCount = Math.max(1, options.sessionsCount ?? DEFAULT_SESSIONS_COUNT);
    this.#log = options.logger;
    this.#ready.promise.catch(() => {});
    const clientType = options.clientType ?? DEFAULT_CLIENT_TYPE;
    this.#core = new EntityCore({
      ...options,
      updateIntervalMs: options.updateIntervalMs ?? CLIENT_UPDATE_INTERVAL_MS,
      entry: {
        build: (current) => {
          // No `protocol`: a server reading our entry then speaks yamux, which is all we do.
          const base = current ?? newClientEntry({ pk: this.pk });
          return {
            ...base,
            client: { delegatedServers: this.#delegated() },
            clientType,
          };
        },
        changed: (current) =>
          current.clientType !== clientType ||
          !sameKeys(current.client?.delegatedServers ?? [], this.#delegated()),
        onPublished: (entry) => {
          if ((entry.client?.delegatedServers?.length ?? 0) > 0 && !this.#readyDone) {
            this.#readyDone = true;
            this.#ready.resolve();
          }
        },
      },
    });
  }

  /** The discovery client in use. */
  get discovery(): DiscoveryClient {
    return this.#core.discovery;
  }

  #delegated(): PubKey[] {
    if (this.#o.dialOnly) return [];
    return [...this.#sessions.values()].map((session) => session.remotePk);
  }

  /**
   * Register our entry, then connect; resolves after the first round of connection attempts
   * (successful or not). Throws {@linkcode DmsgError} 200 if the client is closed.
   */
  async start(): Promise<void> {
    if (this.#closed) throw new DmsgError(DmsgErrorCode.entityClosed);
    if (this.#started) return;
    this.#started = true;
    // The servers are listed while the entry registers: the entry must be in before a server is
    // dialed (a server may read it), not before the list is read. One round trip less.
    const listing = this.#core.discovery.availableServers({ signal: this.#abort.signal });
    listing.catch(() => {}); // read by the first round; closing first leaves it unread
    await this.#core.publisher.start();
    const firstRound = Promise.withResolvers<void>();
    this.#maintaining = this.#maintain(firstRound.resolve, listing);
    await firstRound.promise;
  }

  /**
   * Resolves once we have a session and our entry lists a delegated server (others can dial
   * us). Rejects with the signal's reason, or {@linkcode DmsgError} 200 when closed first.
   */
  async ready(signal?: AbortSignal): Promise<void> {
    if (!signal) return await this.#ready.promise;
    signal.throwIfAborted();
    const aborted = Promise.withResolvers<never>();
    const onAbort = () => aborted.reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      return await Promise.race([this.#ready.promise, aborted.promise]);
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  /** Listen on `port`; throws {@linkcode DmsgError} 400 if it is taken. */
  listen(port: number): DmsgListener {
    if (this.#closed) throw new DmsgError(DmsgErrorCode.entityClosed);
    return this.#core.endpoint.listen(port);
  }

  /** Our sessions. */
  sessions(): ClientSessionInfo[] {
    return [...this.#sessions.values()].map((session) => ({
      serverPk: session.remotePk,
      address: session.address,
      latencyMs: session.latencyMs,
    }));
  }

  /**
   * Dial a stream to `addr` (Go 2026 dial ladder, attempts strictly one after another): the
   * server that last worked for this destination, then our sessions to its delegated servers
   * (by latency, up to 16), then our other sessions (the servers may forward, up to 16), then
   * up to 2 new sessions to its delegated servers (skipped while the destination is in its
   * failure backoff). A destination that is a dmsg server is dialed through a session to it.
   * Throws {@linkcode DmsgError} 202 wrapping the first failure, 200 once closed, or the
   * signal's reason.
   */
  async dialStream(addr: DmsgAddr, options: DialStreamOptions = {}): Promise<DmsgStream> {
    if (this.#closed) throw new DmsgError(DmsgErrorCode.entityClosed);
    if (options.server) {
      const session = this.#sessions.get(options.server);
      if (!session) {
        throw new DmsgError(DmsgErrorCode.cannotConnectToDelegated, {
          cause: new DmsgError(DmsgErrorCode.sessionClosed, {
            detail: `no session to ${options.server.hex()}`,
          }),
        });
      }
      return await this.#core.endpoint.dial(session, addr, { signal: options.signal });
    }
    return await runDialLadder({
      addr,
      signal: options.signal,
      caches: this.#caches,
      discovery: this.#core.discovery,
      sessions: () => [...this.#sessions.values()],
      ensureSession: (entry, signal) => this.#ensureSession(entry, signal),
      dial: (session, signal) => this.#core.endpoint.dial(session, addr, { signal }),
      logger: this.#log,
      entry: options.entry,
    });
  }

  /** Counters for leak tests: all fall back to 0 (or the listeners kept) when idle. */
  stats(): Record<string, number> {
    const core = this.#core.stats(this.#sessions.values());
    return {
      sessions: this.#sessions.size,
      dialingSessions: this.#dialing.size,
      dialWaiters: [...this.#dialing.values()].reduce((sum, dial) => sum + dial.waiters, 0),
      ports: core.ports,
      listeners: core.listeners,
      streams: core.streams,
      handshakes: core.handshakes,
      incomingHandshakes: this.#incoming.used,
      yamuxStreams: core.yamuxStreams,
      timers: core.timers + this.#pingTimers.size,
      yamuxTimers: core.yamuxTimers,
      entryCache: this.#caches.entries.size,
      routeCache: this.#caches.routes.size,
      failureBackoff: this.#caches.failures.size,
    };
  }

  /**
   * Close every listener, stream and session and stop all timers; resolves when released.
   * With `deleteEntry`, also remove our entry from the discovery (Go's `Close` does).
   */
  async close(options: { deleteEntry?: boolean } = {}): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort(new DmsgError(DmsgErrorCode.entityClosed));
    this.#ready.reject(new DmsgError(DmsgErrorCode.entityClosed));
    this.#wake?.();
    // The entry is deleted while the sessions wind down rather than after: a caller with a
    // short exit budget (dmsg curl) must not leave its throw-away entry behind.
    const publishing = this.#core.close(options.deleteEntry);
    for (const timer of this.#pingTimers.values()) clearTimeout(timer);
    this.#pingTimers.clear();
    await Promise.allSettled([...this.#dialing.values()].map((dial) => dial.promise));
    await Promise.all([...this.#sessions.values()].map((session) => session.close()));
    await this.#maintaining;
    await Promise.all([...this.#serving]);
    await publishing;
  }

  // Keep `sessionsCount` sessions: connect rounds with a growing backoff, then sleep until a
  // session is lost.
  async #maintain(
    firstRoundDone: () => void,
    firstListing: Promise<Entry[]> | undefined,
  ): Promise<void> {
    const base = this.#o.reconnectBaseMs ?? RECONNECT_BASE_MS;
    let backoff = base;
    while (!this.#closed) {
      if (this.#sessions.size < this.#sessionsCount) {
        await this.#connectRound(firstListing);
        firstListing = undefined;
        firstRoundDone();
        if (this.#closed) break;
        if (this.#sessions.size < this.#sessionsCount) {
          this.#log?.debug("not enough sessions, retrying later", { backoffMs: backoff });
          await this.#sleep(backoff);
          backoff = Math.min(backoff * RECONNECT_FACTOR, RECONNECT_MAX_MS);
          continue;
        }
      }
      firstRoundDone();
      backoff = base;
      await this.#sleep(Infinity);
    }
    firstRoundDone();
  }

  // Sleep until `ms` pass, a session is lost, or the client closes.
  async #sleep(ms: number): Promise<void> {
    const wake = Promise.withResolvers<void>();
    this.#wake = wake.resolve;
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (Number.isFinite(ms)) timer = setTimeout(wake.resolve, ms);
    try {
      if (!this.#closed) await wake.promise;
    } finally {
      clearTimeout(timer);
      if (this.#wake === wake.resolve) this.#wake = undefined;
    }
  }

  // One round of connection attempts; the first uses the listing start() asked for.
  async #connectRound(listing?: Promise<Entry[]>): Promise<void> {
    const candidates: Entry[] = [...(this.#o.servers ?? [])];
    try {
      const listed = await (listing ??
        this.#core.discovery.availableServers({ signal: this.#abort.signal }));
      const known = new Set(candidates.map((entry) => entry.static.hex()));
      candidates.push(
        ...shuffle(listed.filter((e) => !known.has(e.static.hex())), { prng: cryptoRandom }),
      );
    } catch (error) {
      if (this.#closed) return;
      if (!(error instanceof DiscoveryError && error.kind === "noAvailableServers")) {
        this.#log?.warn("cannot list dmsg servers", { error });
      }
    }
    for (const entry of candidates) {
      if (this.#closed || this.#sessions.size >= this.#sessionsCount) return;
      if (this.#sessions.has(entry.static)) continue;
      try {
        await this.#ensureSession(entry, this.#abort.signal);
      } catch (error) {
        if (this.#closed) return;
        this.#log?.warn("cannot open session", {
          server: entry.static.hex(),
          address: entry.server?.address,
          error,
        });
      }
    }
  }

  // The session to `entry`'s server: the existing one, the one being dialed, or a new one.
  #ensureSession(entry: Entry, signal?: AbortSignal): Promise<DmsgSession> {
    if (this.#closed) return Promise.reject(new DmsgError(DmsgErrorCode.entityClosed));
    const existing = this.#sessions.get(entry.static);
    if (existing && !existing.isClosed) return Promise.resolve(existing);
    const pending = this.#dialing.get(entry.static);
    if (pending) return pending.join(signal);
    const address = entry.server?.address;
    if (!address) {
      return Promise.reject(new DmsgError(DmsgErrorCode.discEntryIsNotServer));
    }
    // Shared: a caller that gives up leaves the dial to the others (see SharedDial).
    const dial = new SharedDial(async (both) => {
      const session = await dialSession({
        address,
        serverPk: entry.static,
        keyPair: this.#core.keyPair,
        signal: both,
        yamux: this.#o.yamux,
      });
      if (this.#closed) {
        await session.close();
        throw new DmsgError(DmsgErrorCode.entityClosed);
      }
      this.#addSession(session);
      return session;
    }, this.#abort.signal);
    this.#dialing.replace(entry.static, dial);
    const forget = () => this.#dialing.release(entry.static, dial);
    dial.promise.then(forget, forget);
    return dial.join(signal);
  }

  #addSession(session: DmsgSession): void {
    const older = this.#sessions.replace(session.remotePk, session);
    this.#log?.info("session opened", { server: session.remotePk.hex(), address: session.address });
    // A newer session to the same server replaces the older one; its cleanup is
    // identity-checked, so it cannot remove the newer one.
    older?.close();
    const serving = this.#serve(session);
    this.#serving.add(serving);
    serving.then(() => this.#serving.delete(serving));
    session.closed.then(() => this.#removeSession(session));
    this.#schedulePing(session, Math.min(FIRST_PING_DELAY_MS, this.#pingInterval));
    if (this.#o.dialOnly) return; // nothing to announce
    // The first delegated server is published at once (that makes us dialable: `ready`),
    // later changes are debounced.
    const publisher = this.#core.publisher;
    if (this.#readyDone) publisher.nudge();
    else {
      publisher.publish().catch((error) => {
        this.#log?.warn("discovery entry update failed", { error });
        publisher.nudge();
      });
    }
  }

  get #pingInterval(): number {
    return this.#o.pingIntervalMs ?? SESSION_PING_INTERVAL_MS;
  }

  // Incoming streams are stream handshakes for our listeners, at most 2048 at once per session.
  #serve(session: DmsgSession): Promise<void> {
    return acceptStreams(session, {
      slots: [new Slots(MAX_INCOMING_HANDSHAKES), this.#incoming],
      open: () => !this.#closed,
      serve: (stream) => this.#core.endpoint.serveIncoming(session, stream),
    });
  }

  #removeSession(session: DmsgSession): void {
    const timer = this.#pingTimers.get(session);
    if (timer !== undefined) clearTimeout(timer);
    this.#pingTimers.delete(session);
    if (!this.#sessions.release(session.remotePk, session)) return;
    this.#log?.info("session closed", { server: session.remotePk.hex(), address: session.address });
    if (this.#closed) return;
    this.#core.publisher.nudge();
    this.#wake?.();
  }

  #schedulePing(session: DmsgSession, ms: number): void {
    if (this.#closed || session.isClosed) return;
    const timer = setTimeout(async () => {
      if (this.#pingTimers.get(session) !== timer) return;
      this.#pingTimers.delete(session);
      try {
        await session.ping();
      } catch (error) {
        if (!session.isClosed) this.#log?.debug("session ping failed", { error });
      }
      if (this.#sessions.get(session.remotePk) === session) {
        this.#schedulePing(session, this.#pingInterval);
      }
    }, ms);
    this.#pingTimers.set(session, timer);
  }
}

function sameKeys(a: PubKey[], b: PubKey[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a.map((pk) => pk.hex()));
  return b.every((pk) => set.has(pk.hex()));
}
