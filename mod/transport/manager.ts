import { type KeyPair, makeTransportId, type PubKey } from "../cipher/mod.ts";
import type { Logger } from "../log/mod.ts";
import { jittered } from "./_jitter.ts";
import { Backoff, type BackoffOptions } from "../lifecycle/mod.ts";
import { closeQuietly } from "./_deadline.ts";
import { TRANSPORT_HEARTBEAT_INTERVAL_MS, TRANSPORT_PORT, TransportLabel } from "./constants.ts";
import type { SignedTransportEntry, TransportEntry } from "./entry.ts";
import { TransportClosedError, TransportError, UnknownNetworkError } from "./errors.ts";
import { ManagedTransport, type PacketHandler } from "./managed_transport.ts";
import type { TransportConn, TransportListener, TransportNetwork } from "./network.ts";
import type { TransportRegistry } from "./registry.ts";
import { initiateSettlement, respondSettlement } from "./settlement.ts";

/** A transport the manager keeps up (Go `PersistentTransports`, config `persistent_transports`). */
export interface PersistentTransport {
  /** The peer. */
  pk: PubKey;
  /** Transport type. */
  type: string;
}

/** Options for {@linkcode TransportManager}. */
export interface TransportManagerOptions {
  /** Our keys. */
  keyPair: KeyPair;
  /** The networks to dial and accept on, one per type. The manager owns them (closes them). */
  networks: TransportNetwork[];
  /** The transport discovery: the accepting side registers, either side deregisters on close. */
  registry?: TransportRegistry;
  /** Where routing packets go; the packet's bytes are valid until the handler settles. */
  onPacket?: PacketHandler;
  /** Transports to keep up. */
  persistent?: PersistentTransport[];
  /** Settlement limit per side, ms (default 20 s, as Go). */
  settlementTimeoutMs?: number;
  /** Inbound settlements at once; more connections are closed at once (default 64). */
  maxPendingAccepts?: number;
  /** TransportPing period per transport, ms (default 30 s; 0 = off). */
  pingIntervalMs?: number;
  /** Redial delays after a lost connection (default 500 ms ×2 up to 10 s). */
  redialBackoff?: BackoffOptions;
  /** How long the higher edge of a persistent transport leaves the redial to the lower (5 s). */
  redialGraceMs?: number;
  /** How often missing persistent transports are dialed, ms (default 10 s, Go's phase delay). */
  persistentCheckMs?: number;
  /** Delays between failed dials of one persistent transport (default 1 s ×2 up to 1 min). */
  persistentBackoff?: BackoffOptions;
  /**
   * How often `registry.heartbeat` is called while transports exist, ms (default 90 s, ±10%
   * jitter each time); keep it well inside the discovery's entry timeout.
   */
  heartbeatIntervalMs?: number;
  /** One line per transport event. */
  logger?: Logger;
}

/** Options for {@linkcode TransportManager.saveTransport}. */
export interface SaveTransportOptions {
  /** The entry's label (default `user`). */
  label?: string;
  /** Abort the dial. A dial already in flight for the same transport is shared, not aborted. */
  signal?: AbortSignal;
}

/** Counters for leak tests: every one is 0 once the manager is idle with no transports. */
export interface TransportManagerStats {
  /** Transports in the map. */
  transports: number;
  /** Dials in flight. */
  dialing: number;
  /** Inbound settlements in flight. */
  accepting: number;
  /** Transport ids with a dial or accept in flight. */
  inflight: number;
  /** Persistent transports with a failed-dial backoff pending. */
  persistentBackoffs: number;
}

interface PersistentState {
  backoff: Backoff;
  nextAt: number;
}

/**
 * The transports of a visor (Go `transport.Manager`): one {@linkcode ManagedTransport} per
 * transport id (`makeTransportId(local, remote, type)`).
 *
 * - {@linkcode saveTransport} returns the transport to a peer, dialing it if there is none
 *   (one dial per id at a time), then the settlement as initiator.
 * - {@linkcode start} listens on port 45 of every network; each connection is settled as
 *   responder (the countersigned entry is registered) and installed.
 * - Installing re-checks the map at the last synchronous step: a live transport already there
 *   is kept and the new connection offered to it under the glare rule; a transport is never
 *   replaced by a fresh one. Every removal from the map is identity-checked.
 * - Persistent transports are dialed when missing (every 10 s, capped backoff per peer) and
 *   redial after a loss.
 */
export class TransportManager {
  readonly #o: TransportManagerOptions;
  readonly #log?: Logger;
  readonly #networks = new Map<string, TransportNetwork>();
  readonly #tps = new Map<string, ManagedTransport>();
  readonly #dialing = new Map<string, Promise<ManagedTransport>>();
  readonly #accepting = new Set<Promise<void>>();
  readonly #inflight = new Map<string, Set<Promise<unknown>>>();
  readonly #listeners: TransportListener[] = [];
  readonly #acceptLoops: Promise<void>[] = [];
  readonly #persistentState = new Map<string, PersistentState>();
  readonly #abort = new AbortController();
  #persistent: PersistentTransport[];
  #persistentTimer?: ReturnType<typeof setTimeout>;
  #heartbeatTimer?: ReturnType<typeof setTimeout>;
  // The countersigned entries of the transports we accepted (we registered them), by id, so a
  // heartbeat can register one again if the discovery lost it; dropped with the transport.
  readonly #countersigned = new Map<string, SignedTransportEntry>();
  #started = false;
  #closing?: Promise<void>;

  /** Create the manager; {@linkcode start} begins accepting and the persistent dials. */
  constructor(options: TransportManagerOptions) {
    this.#o = options;
    this.#log = options.logger?.child("transport");
    for (const network of options.networks) {
      if (this.#networks.has(network.type)) {
        throw new TransportError(`two networks of type "${network.type}"`);
      }
      this.#networks.set(network.type, network);
    }
    this.#persistent = [...(options.persistent ?? [])];
  }

  /** Our key. */
  get localPk(): PubKey {
    return this.#o.keyPair.pk;
  }

  /** The transport types we can make. */
  get networkTypes(): string[] {
    return [...this.#networks.keys()];
  }

  /** The network of `type`, if configured. */
  network(type: string): TransportNetwork | undefined {
    return this.#networks.get(type);
  }

  /** Start every network, listen on port 45, start the persistent and heartbeat loops. */
  async start(): Promise<void> {
    if (this.#closing) throw new TransportClosedError("transport manager");
    if (this.#started) return;
    this.#started = true;
    for (const network of this.#networks.values()) {
      await network.start();
      const listener = network.listen(TRANSPORT_PORT);
      this.#listeners.push(listener);
      this.#acceptLoops.push(this.#acceptLoop(listener));
    }
    this.#checkPersistent();
    this.#scheduleHeartbeat();
  }

  /** The transport with this id. */
  transport(id: string): ManagedTransport | undefined {
    return this.#tps.get(id);
  }

  /** The transport to `remote` of `type`. */
  transportTo(remote: PubKey, type: string): ManagedTransport | undefined {
    return this.#tps.get(makeTransportId(this.localPk, remote, type));
  }

  /** Every transport. */
  transports(): ManagedTransport[] {
    return [...this.#tps.values()];
  }

  /** The persistent transports. */
  get persistent(): PersistentTransport[] {
    return [...this.#persistent];
  }

  /** Replace the persistent list (Go `SetPTpsCache`); transports dropped from it stop redialing. */
  setPersistent(list: PersistentTransport[]): void {
    this.#persistent = [...list];
    const wanted = new Set(list.map((p) => makeTransportId(this.localPk, p.pk, p.type)));
    for (const id of [...this.#persistentState.keys()]) {
      if (!wanted.has(id)) this.#persistentState.delete(id);
    }
    for (const tp of this.#tps.values()) tp.persistent = wanted.has(tp.id);
    this.#checkPersistent();
  }

  /** Counters for leak tests. */
  stats(): TransportManagerStats {
    return {
      transports: this.#tps.size,
      dialing: this.#dialing.size,
      accepting: this.#accepting.size,
      inflight: this.#inflight.size,
      persistentBackoffs: this.#persistentState.size,
    };
  }

  /**
   * The transport to `remote` of `type`: the existing one (up or redialing), or a new one
   * dialed now (network dial to port 45, then the settlement as initiator). Throws
   * {@linkcode UnknownNetworkError}, the network's dial error, `NetworkHandshakeError`,
   * `SettlementError`, or {@linkcode TransportClosedError}.
   */
  async saveTransport(
    remote: PubKey,
    type: string,
    options: SaveTransportOptions = {},
  ): Promise<ManagedTransport> {
    if (this.#closing) throw new TransportClosedError("transport manager");
    const network = this.#networks.get(type);
    if (!network) throw new UnknownNetworkError(type);
    if (remote.equals(this.localPk)) {
      throw new TransportError("cannot make a transport to ourselves");
    }
    const existing = this.#tps.get(makeTransportId(this.localPk, remote, type));
    if (existing && !existing.isClosed) return existing;
    return await this.#dial(network, remote, options);
  }

  /** Close and forget a transport (deregistering it). Resolves `false` if there is none. */
  async deleteTransport(id: string): Promise<boolean> {
    const tp = this.#tps.get(id);
    if (!tp) return false;
    await tp.close();
    return true;
  }

  /** Close every transport, stop accepting and dialing, close the networks. Idempotent. */
  close(): Promise<void> {
    return this.#closing ??= this.#close();
  }

  async #close(): Promise<void> {
    this.#abort.abort(new TransportClosedError("transport manager"));
    clearTimeout(this.#persistentTimer);
    clearTimeout(this.#heartbeatTimer);
    for (const listener of this.#listeners) listener.close();
    await Promise.allSettled([...this.#dialing.values()]);
    await Promise.allSettled([...this.#accepting]);
    await Promise.allSettled(this.transports().map((tp) => tp.close()));
    await Promise.allSettled([...this.#networks.values()].map((network) => network.close()));
    await Promise.allSettled(this.#acceptLoops);
    this.#persistentState.clear();
    this.#countersigned.clear();
  }

  #dial(
    network: TransportNetwork,
    remote: PubKey,
    options: SaveTransportOptions,
  ): Promise<ManagedTransport> {
    if (this.#closing) return Promise.reject(new TransportClosedError("transport manager"));
    const id = makeTransportId(this.localPk, remote, network.type);
    const inFlight = this.#dialing.get(id);
    if (inFlight) return inFlight;
    const signal = options.signal
      ? AbortSignal.any([options.signal, this.#abort.signal])
      : this.#abort.signal;
    const dialing = (async () => {
      const conn = await network.dial(remote, TRANSPORT_PORT, { signal });
      const signed = await initiateSettlement({
        stream: conn,
        keyPair: this.#o.keyPair,
        remotePk: remote,
        type: network.type,
        label: options.label ?? TransportLabel.user,
        timeoutMs: this.#o.settlementTimeoutMs,
        signal,
      });
      return this.#install(conn, signed.entry);
    })();
    this.#dialing.set(id, dialing);
    const done = this.#track(id, dialing);
    const forget = () => {
      if (this.#dialing.get(id) === dialing) this.#dialing.delete(id);
      done();
    };
    dialing.then(forget, forget);
    return dialing;
  }

  // Record a dial or accept of transport `id` in flight; the result forgets it again.
  #track(id: string, work: Promise<unknown>): () => void {
    let set = this.#inflight.get(id);
    if (!set) this.#inflight.set(id, set = new Set());
    set.add(work);
    return () => {
      const current = this.#inflight.get(id);
      if (!current?.delete(work)) return;
      if (current.size === 0) this.#inflight.delete(id);
    };
  }

  #pendingConn(id: string): Promise<unknown> | undefined {
    const set = this.#inflight.get(id);
    return set ? Promise.allSettled([...set]) : undefined;
  }

  // The final, synchronous step of a dial or an accept.
  #install(conn: TransportConn, entry: TransportEntry): ManagedTransport {
    if (this.#closing) {
      closeQuietly(conn);
      throw new TransportClosedError("transport manager");
    }
    const existing = this.#tps.get(entry.id);
    if (existing && !existing.isClosed) {
      existing.offerConn(conn);
      return existing;
    }
    const tp = this.#create(entry);
    this.#tps.set(entry.id, tp);
    this.#log?.info("transport up", { tp_id: tp.id, type: tp.type, remote: tp.remotePk.hex() });
    tp.offerConn(conn);
    return tp;
  }

  #create(entry: TransportEntry): ManagedTransport {
    const remote = entry.edges[0].equals(this.localPk) ? entry.edges[1] : entry.edges[0];
    const network = this.#networks.get(entry.type)!;
    return new ManagedTransport({
      entry,
      localPk: this.localPk,
      persistent: this.#isPersistent(entry.id),
      onPacket: this.#o.onPacket,
      redial: (signal) => this.#dial(network, remote, { label: entry.label, signal }),
      pendingConn: () => this.#pendingConn(entry.id),
      onClose: (tp) => this.#forget(tp),
      pingIntervalMs: this.#o.pingIntervalMs,
      redialBackoff: this.#o.redialBackoff,
      redialGraceMs: this.#o.redialGraceMs,
      logger: this.#o.logger,
    });
  }

  async #forget(tp: ManagedTransport): Promise<void> {
    if (this.#tps.get(tp.id) !== tp) return; // already replaced: its successor owns the entry
    this.#tps.delete(tp.id);
    this.#countersigned.delete(tp.id);
    this.#log?.info("transport closed", { tp_id: tp.id, type: tp.type, remote: tp.remotePk.hex() });
    try {
      await this.#o.registry?.deregister(tp.id);
    } catch (error) {
      this.#log?.warn("failed to deregister transport", { tp_id: tp.id, error: String(error) });
    }
  }

  async #acceptLoop(listener: TransportListener): Promise<void> {
    const max = this.#o.maxPendingAccepts ?? 64;
    for await (const conn of listener) {
      if (this.#closing || this.#accepting.size >= max || conn.remoteAddr.pk.equals(this.localPk)) {
        this.#log?.warn("inbound transport refused", { remote: conn.remoteAddr.pk.hex() });
        closeQuietly(conn);
        continue;
      }
      const id = makeTransportId(this.localPk, conn.remoteAddr.pk, conn.type);
      let done = () => {};
      const task: Promise<void> = this.#acceptOne(conn).finally(() => {
        this.#accepting.delete(task);
        done();
      });
      this.#accepting.add(task);
      done = this.#track(id, task);
    }
  }

  async #acceptOne(conn: TransportConn): Promise<void> {
    const registry = this.#o.registry;
    try {
      const signed = await respondSettlement({
        stream: conn,
        keyPair: this.#o.keyPair,
        remotePk: conn.remoteAddr.pk,
        type: conn.type,
        timeoutMs: this.#o.settlementTimeoutMs,
        signal: this.#abort.signal,
        register: registry ? (entry) => registry.register(entry) : undefined,
        logger: this.#log,
      });
      this.#install(conn, signed.entry);
      this.#countersigned.set(signed.entry.id, signed);
    } catch (error) {
      closeQuietly(conn);
      this.#log?.debug("inbound settlement failed", {
        remote: conn.remoteAddr.pk.hex(),
        error: String(error),
      });
    }
  }

  #isPersistent(id: string): boolean {
    return this.#persistent.some((p) => makeTransportId(this.localPk, p.pk, p.type) === id);
  }

  // Dial every persistent transport that is missing and out of its backoff, then check again.
  #checkPersistent(): void {
    if (this.#closing || !this.#started) return;
    clearTimeout(this.#persistentTimer);
    const now = Date.now();
    for (const { pk, type } of this.#persistent) {
      const network = this.#networks.get(type);
      if (!network) continue;
      const id = makeTransportId(this.localPk, pk, type);
      const tp = this.#tps.get(id);
      if (tp && !tp.isClosed) {
        tp.persistent = true;
        continue;
      }
      const state = this.#persistentState.get(id);
      if (this.#dialing.has(id) || (state && state.nextAt > now)) continue;
      this.#dial(network, pk, {}).then(
        (dialed) => {
          dialed.persistent = true;
          this.#persistentState.delete(id);
        },
        (error) => {
          if (this.#closing || !this.#isPersistent(id)) return;
          const backoff = this.#persistentState.get(id)?.backoff ??
            new Backoff(
              this.#o.persistentBackoff ?? { initialMs: 1_000, maxMs: 60_000, factor: 2 },
            );
          this.#persistentState.set(id, { backoff, nextAt: Date.now() + backoff.next() });
          this.#log?.debug("persistent transport dial failed", {
            remote: pk.hex(),
            type,
            error: String(error),
          });
        },
      );
    }
    this.#persistentTimer = setTimeout(
      () => this.#checkPersistent(),
      this.#o.persistentCheckMs ?? 10_000,
    );
  }

  #scheduleHeartbeat(): void {
    const registry = this.#o.registry;
    if (!registry?.heartbeat || this.#closing) return;
    this.#heartbeatTimer = setTimeout(async () => {
      const ids = [...this.#tps.keys()];
      if (ids.length > 0) {
        const restore = ids.flatMap((id) => this.#countersigned.get(id) ?? []);
        await registry.heartbeat!(ids, restore).catch((error) =>
          this.#log?.warn("transport heartbeat failed", { error: String(error) })
        );
      }
      this.#scheduleHeartbeat();
    }, jittered(this.#o.heartbeatIntervalMs ?? TRANSPORT_HEARTBEAT_INTERVAL_MS));
  }
}
