import type { PubKey } from "../cipher/mod.ts";
import type { Logger } from "../log/mod.ts";
import {
  type DecodedPacket,
  decodeTransportPingPayload,
  encodePacket,
  encodeTransportPingPayload,
  type Packet,
  PacketReader,
  PacketType,
} from "../routing/mod.ts";
import { Backoff, type BackoffOptions, sleep } from "../lifecycle/mod.ts";
import { closeQuietly } from "./_deadline.ts";
import { TRANSPORT_PING_INTERVAL_MS } from "./constants.ts";
import type { TransportEntry } from "./entry.ts";
import {
  PingTimeoutError,
  TransportClosedError,
  TransportDownError,
  TransportError,
} from "./errors.ts";
import { addLatencySample, type LatencyStats } from "./latency.ts";
import type { TransportConn } from "./network.ts";

/** Pings in a row without a pong before a connection that did answer once is given up. */
const MAX_MISSED_PONGS = 3;

/** A packet handler; the packet's bytes are valid until the returned promise settles. */
export type PacketHandler = (
  packet: DecodedPacket,
  transport: ManagedTransport,
) => void | Promise<void>;

/** What a {@linkcode ManagedTransport} is made of (the manager builds it). */
export interface ManagedTransportInit {
  /** The transport's entry (id, sorted edges, type, label). */
  entry: TransportEntry;
  /** Our key (one of the edges). */
  localPk: PubKey;
  /** Keep it up: redial after a lost connection instead of closing. */
  persistent?: boolean;
  /** Where packets go (transport pings and pongs are answered here and not passed on). */
  onPacket?: PacketHandler;
  /** Dial and settle a fresh connection and offer it to this transport (the manager's dial). */
  redial?: (signal: AbortSignal) => Promise<unknown>;
  /**
   * Dials and accepts of this transport in flight (settled once all have), waited for before a
   * lost connection counts as lost: in glare the peer drops one connection because another is
   * about to win.
   */
  pendingConn?: () => Promise<unknown> | undefined;
  /** Called once when the transport closes (the manager forgets and deregisters it). */
  onClose?: (transport: ManagedTransport) => Promise<void>;
  /** TransportPing period, ms (default 30 s; 0 = only explicit pings). */
  pingIntervalMs?: number;
  /** Redial delays (default 500 ms ×2 up to 10 s). */
  redialBackoff?: BackoffOptions;
  /** How long the higher edge of a persistent transport leaves the redial to the lower one. */
  redialGraceMs?: number;
  /** Connection and glare events. */
  logger?: Logger;
}

/** Byte and packet counters, ping payloads included. Bytes are payload bytes, as Go logs them. */
export interface TransportCounters {
  /** Payload bytes written. */
  sentBytes: number;
  /** Payload bytes read. */
  recvBytes: number;
  /** Packets written. */
  sentPackets: number;
  /** Packets read. */
  recvPackets: number;
}

/** A snapshot of a transport for listings (the CLI and UI map it to Go's field names). */
export interface TransportInfo extends TransportCounters {
  /** Transport id. */
  id: string;
  /** `dmsg`, `stcp`, `stcpr`. */
  type: string;
  /** `user`, `automatic`, `skycoin`. */
  label: string;
  /** Our key. */
  localPk: string;
  /** The peer's key. */
  remotePk: string;
  /** Whether a connection is up. */
  isUp: boolean;
  /** Whether it is kept up by redialing. */
  persistent: boolean;
  /** The peer's network address of the current connection (TCP types). */
  remoteRawAddr?: string;
  /** Transport ping round trips, once one was measured. */
  latency?: LatencyStats;
}

interface PendingPing {
  sentAt: number;
  resolve: (rttMs: number) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 10_000, factor: 2 };

/**
 * One transport to a peer (Go `ManagedTransport`): the connection under it can be replaced
 * while the transport (and its id, counters, place in the manager) stays.
 *
 * - **Packets**: {@linkcode writePacket} writes routing packets; every packet read goes to
 *   `onPacket`, except TransportPing (answered with a TransportPong) and TransportPong (which
 *   completes a {@linkcode ping}), both on route id 0, as Go 2026 does. Go 2024 peers drop
 *   these two types with a log line, harmlessly.
 * - **Glare** (both edges dialed at once, or a redial meets the old connection): Go's rule,
 *   made deterministic. The connection dialed by the lower key wins: on the lower edge that is
 *   "keep the existing connection, close the new one" when the existing one is its own dial;
 *   on the higher edge the lower edge's connection replaces its old one. Between connections of
 *   the same dialer the newer wins (a redial).
 * - **Loss**: when the connection ends (and no dial or accept of it is in flight), one that is
 *   not persistent closes, as in Go 2024. A persistent one redials with capped exponential
 *   backoff: the lower edge at once (only it redials in Go), the higher edge after a grace
 *   period. A connection whose peer answered pings once and then misses 3 is given up; a peer
 *   that never answered 3 periodic pings (Go 2024) is not pinged periodically any more.
 */
export class ManagedTransport {
  /** The transport id. */
  readonly id: string;
  /** Its entry (sorted edges, type, label). */
  readonly entry: TransportEntry;
  /** Our key. */
  readonly localPk: PubKey;
  /** The peer's key. */
  readonly remotePk: PubKey;
  /** Whether our key is edge 0 (the lower one): the edge whose dial wins and that redials. */
  readonly isLowerEdge: boolean;
  /** Kept up by redialing after a loss. */
  persistent: boolean;
  readonly #init: ManagedTransportInit;
  readonly #log?: Logger;
  readonly #pings = new Map<bigint, PendingPing>();
  readonly #closedSignal: PromiseWithResolvers<void> = Promise.withResolvers();
  #conn?: TransportConn;
  #connLowerDialed = false;
  #reconnect?: AbortController;
  #pingTimer?: ReturnType<typeof setTimeout>;
  #pongSeen = false;
  #missedPongs = 0;
  #pingsStopped = false;
  #lastTimestamp = 0n;
  #latency?: LatencyStats;
  #counters: TransportCounters = { sentBytes: 0, recvBytes: 0, sentPackets: 0, recvPackets: 0 };
  #closing?: Promise<void>;

  /** Create the transport without a connection; {@linkcode offerConn} gives it one. */
  constructor(init: ManagedTransportInit) {
    this.#init = init;
    this.entry = init.entry;
    this.id = init.entry.id;
    this.localPk = init.localPk;
    this.isLowerEdge = init.entry.edges[0].equals(init.localPk);
    this.remotePk = this.isLowerEdge ? init.entry.edges[1] : init.entry.edges[0];
    this.persistent = init.persistent ?? false;
    this.#log = init.logger?.child("tp", { tp_id: this.id, remote: this.remotePk.hex() });
  }

  /** Transport type. */
  get type(): string {
    return this.entry.type;
  }

  /** Whether a connection is up. */
  get isUp(): boolean {
    return this.#conn !== undefined;
  }

  /** Whether it is closed (terminal). */
  get isClosed(): boolean {
    return this.#closing !== undefined;
  }

  /** Resolves once the transport is closed and its manager has forgotten it. */
  get closed(): Promise<void> {
    return this.#closedSignal.promise;
  }

  /** The current connection's peer network address (TCP types). */
  get remoteRawAddr(): string | undefined {
    return this.#conn?.remoteRawAddr;
  }

  /** Byte and packet counters (ping bytes included). */
  counters(): TransportCounters {
    return { ...this.#counters };
  }

  /** Transport ping round trips, or `undefined` before the first pong. */
  latency(): LatencyStats | undefined {
    return this.#latency ? { ...this.#latency } : undefined;
  }

  /** A snapshot for listings. */
  info(): TransportInfo {
    return {
      id: this.id,
      type: this.type,
      label: this.entry.label,
      localPk: this.localPk.hex(),
      remotePk: this.remotePk.hex(),
      isUp: this.isUp,
      persistent: this.persistent,
      remoteRawAddr: this.remoteRawAddr,
      latency: this.latency(),
      ...this.#counters,
    };
  }

  /**
   * Offer a settled connection to this transport (from a dial or an accept). Applies the glare
   * rule; returns whether it was installed. A refused connection is closed here.
   */
  offerConn(conn: TransportConn): boolean {
    if (this.isClosed) {
      closeQuietly(conn);
      return false;
    }
    const lowerDialed = conn.initiator === this.isLowerEdge;
    const current = this.#conn;
    if (current && this.#connLowerDialed && !lowerDialed) {
      this.#log?.debug("glare: keeping the lower edge's connection, closing the new one");
      closeQuietly(conn);
      return false;
    }
    this.#conn = conn;
    this.#connLowerDialed = lowerDialed;
    this.#missedPongs = 0;
    this.#pongSeen = false;
    this.#pingsStopped = false;
    if (current) {
      this.#log?.debug("replacing the connection");
      closeQuietly(current); // its read loop ends and sees it is no longer current
    }
    this.#reconnect?.abort();
    this.#reconnect = undefined;
    this.#readLoop(conn);
    this.#schedulePing();
    this.#log?.debug("connection up", { dialed: conn.initiator });
    return true;
  }

  /**
   * Write one routing packet (a {@linkcode Packet} or its encoded bytes). Throws
   * {@linkcode TransportDownError} without a connection, {@linkcode TransportClosedError} once
   * closed; a failed write gives up the connection and rethrows.
   */
  async writePacket(packet: Packet | Uint8Array): Promise<void> {
    const bytes = packet instanceof Uint8Array ? packet : encodePacket(packet);
    if (this.isClosed) throw new TransportClosedError();
    const conn = this.#conn;
    if (!conn) throw new TransportDownError(this.id);
    try {
      // A transport connection writes each buffer whole and in order (Noise streams queue).
      const n = await conn.write(bytes);
      if (n !== bytes.length) throw new TransportError(`short write: ${n} of ${bytes.length}`);
    } catch (error) {
      closeQuietly(conn); // the read loop notices and handles the loss
      throw error;
    }
    this.#counters.sentPackets++;
    this.#counters.sentBytes += bytes.length - 7;
  }

  /**
   * Measure the round trip with a TransportPing (route id 0, Unix-nanosecond timestamp) and its
   * TransportPong. Resolves to milliseconds; throws {@linkcode PingTimeoutError} (a Go 2024
   * peer never answers), {@linkcode TransportDownError} or {@linkcode TransportClosedError}.
   */
  async ping(timeoutMs = 10_000): Promise<number> {
    const timestamp = this.#nextTimestamp();
    const pong = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pings.delete(timestamp);
        reject(new PingTimeoutError(timeoutMs));
      }, timeoutMs);
      this.#pings.set(timestamp, { sentAt: performance.now(), resolve, reject, timer });
    });
    pong.catch(() => {}); // a failed write below rejects the caller instead
    try {
      await this.writePacket({
        type: PacketType.TransportPing,
        routeId: 0,
        payload: encodeTransportPingPayload(timestamp),
      });
    } catch (error) {
      const pending = this.#pings.get(timestamp);
      if (pending) clearTimeout(pending.timer);
      this.#pings.delete(timestamp);
      throw error;
    }
    return await pong;
  }

  /**
   * Close the transport and its connection; pending pings fail, the manager forgets (and
   * deregisters) it. Idempotent; resolves when done.
   */
  close(): Promise<void> {
    return this.#closing ??= this.#close();
  }

  async #close(): Promise<void> {
    this.#reconnect?.abort();
    this.#reconnect = undefined;
    clearTimeout(this.#pingTimer);
    this.#pingTimer = undefined;
    for (const [timestamp, pending] of this.#pings) {
      clearTimeout(pending.timer);
      pending.reject(new TransportClosedError());
      this.#pings.delete(timestamp);
    }
    const conn = this.#conn;
    this.#conn = undefined;
    if (conn) closeQuietly(conn);
    this.#log?.debug("closed");
    try {
      await this.#init.onClose?.(this);
    } finally {
      this.#closedSignal.resolve();
    }
  }

  // Unix nanoseconds, strictly increasing so each ping has its own key.
  #nextTimestamp(): bigint {
    const now = BigInt(Date.now()) * 1_000_000n;
    this.#lastTimestamp = now > this.#lastTimestamp ? now : this.#lastTimestamp + 1n;
    return this.#lastTimestamp;
  }

  async #readLoop(conn: TransportConn): Promise<void> {
    const reader = new PacketReader(conn);
    try {
      for (;;) {
        const packet = await reader.next();
        if (packet === null || this.#conn !== conn) break;
        this.#counters.recvPackets++;
        this.#counters.recvBytes += packet.payload.length;
        if (packet.routeId === 0 && packet.type === PacketType.TransportPing) {
          this.#answerPing(packet.payload);
        } else if (packet.routeId === 0 && packet.type === PacketType.TransportPong) {
          this.#onPong(packet.payload);
        } else if (this.#init.onPacket) {
          try {
            await this.#init.onPacket(packet, this);
          } catch (error) {
            this.#log?.warn("packet handler failed", { error: String(error) });
          }
        }
      }
    } catch (error) {
      if (this.#conn === conn) this.#log?.debug("read failed", { error: String(error) });
    }
    this.#connEnded(conn);
  }

  #answerPing(payload: Uint8Array): void {
    let timestamp: bigint;
    try {
      timestamp = decodeTransportPingPayload(payload);
    } catch {
      this.#log?.debug("malformed transport ping dropped");
      return;
    }
    this.writePacket({
      type: PacketType.TransportPong,
      routeId: 0,
      payload: encodeTransportPingPayload(timestamp),
    }).catch(() => {}); // a failed write already gave up the connection
  }

  #onPong(payload: Uint8Array): void {
    let timestamp: bigint;
    try {
      timestamp = decodeTransportPingPayload(payload);
    } catch {
      return;
    }
    const pending = this.#pings.get(timestamp);
    if (!pending) return;
    this.#pings.delete(timestamp);
    clearTimeout(pending.timer);
    const rttMs = performance.now() - pending.sentAt;
    this.#latency = addLatencySample(this.#latency, rttMs);
    this.#pongSeen = true;
    this.#missedPongs = 0;
    pending.resolve(rttMs);
  }

  #schedulePing(): void {
    const interval = this.#init.pingIntervalMs ?? TRANSPORT_PING_INTERVAL_MS;
    if (interval <= 0 || this.#pingTimer !== undefined || this.#pingsStopped || this.isClosed) {
      return;
    }
    this.#pingTimer = setTimeout(() => {
      this.#pingTimer = undefined;
      const conn = this.#conn;
      if (!conn || this.isClosed) return;
      this.ping(interval).catch((error) => {
        if (!(error instanceof PingTimeoutError) || this.#conn !== conn) return;
        if (++this.#missedPongs < MAX_MISSED_PONGS) return;
        if (this.#pongSeen) {
          this.#log?.warn("no pong for 3 pings; giving the connection up");
          closeQuietly(conn);
        } else {
          // A Go 2024 peer drops TransportPing (logging each one): stop bothering it.
          this.#log?.debug("the peer does not answer transport pings; periodic pings stop");
          clearTimeout(this.#pingTimer);
          this.#pingTimer = undefined;
          this.#pingsStopped = true;
        }
      });
      this.#schedulePing();
    }, interval);
  }

  #connEnded(conn: TransportConn): void {
    closeQuietly(conn);
    if (this.#conn !== conn) return; // replaced, or the transport closed
    this.#conn = undefined;
    clearTimeout(this.#pingTimer);
    this.#pingTimer = undefined;
    for (const [timestamp, pending] of this.#pings) {
      clearTimeout(pending.timer);
      pending.reject(new TransportDownError(this.id));
      this.#pings.delete(timestamp);
    }
    this.#log?.debug("connection lost");
    const pending = this.#init.pendingConn?.();
    if (pending) {
      pending.catch(() => {}).finally(() => {
        if (!this.#conn && !this.isClosed) this.#afterLoss();
      });
    } else {
      this.#afterLoss();
    }
  }

  #afterLoss(): void {
    if (!this.persistent || !this.#init.redial) {
      this.close();
      return;
    }
    if (this.#reconnect) return;
    const abort = new AbortController();
    this.#reconnect = abort;
    const grace = this.isLowerEdge ? 0 : this.#init.redialGraceMs ?? 5_000;
    this.#redialLoop(abort.signal, grace);
  }

  async #redialLoop(signal: AbortSignal, firstDelayMs: number): Promise<void> {
    const backoff = new Backoff(this.#init.redialBackoff ?? DEFAULT_BACKOFF);
    let delay = firstDelayMs;
    while (!signal.aborted) {
      await sleep(delay, signal);
      if (signal.aborted || this.#conn || this.isClosed) return;
      try {
        await this.#init.redial!(signal);
        if (this.#conn) return;
      } catch (error) {
        this.#log?.debug("redial failed", { error: String(error) });
      }
      delay = backoff.next();
    }
  }
}
