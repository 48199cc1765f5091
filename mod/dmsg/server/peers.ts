import type { KeyPair, PubKey } from "../../cipher/mod.ts";
import { RECONNECT_MAX_MS } from "../constants.ts";
import { dialSession, type DmsgSession, type DmsgYamuxOptions } from "../session.ts";
import { SessionTable } from "../_session_table.ts";
import type { Logger } from "../../log/mod.ts";

/** A peer server of the mesh: its key and TCP address (config `peers[{public_key,address}]`). */
export interface PeerConfig {
  /** The peer's public key. */
  pk: PubKey;
  /** The peer's `host:port`. */
  address: string;
}

/** First reconnect delay of a peer link (Go server mesh: 5 s). */
export const PEER_RECONNECT_BASE_MS = 5_000;
/** Growth of the peer reconnect delay (Go server mesh: ×1.5). */
export const PEER_RECONNECT_FACTOR = 1.5;

/** Options for {@linkcode PeerLinks}. */
export interface PeerLinksOptions {
  /** The server's key pair. */
  keyPair: KeyPair;
  /** Configured peers. */
  peers: PeerConfig[];
  /** First reconnect delay, ms. */
  reconnectBaseMs?: number;
  /** Yamux settings. */
  yamux?: DmsgYamuxOptions;
  /** One line per link up/down. */
  logger?: Logger;
  /** Serve a link's streams (as from a peer); resolves when the link and its streams are done. */
  serve: (session: DmsgSession) => Promise<void>;
}

/**
 * The server's links to its configured peers: one outbound link per peer (XK + yamux, redialed
 * with a backoff of 5 s ×1.5 up to 1 min) and the links those peers open to us. Requests
 * arriving on either kind come from a peer (never forwarded again); both kinds can carry our
 * forwarded requests.
 */
export class PeerLinks {
  readonly #o: PeerLinksOptions;
  readonly #keys: Set<string>;
  readonly #outbound = new SessionTable<DmsgSession>();
  readonly #inbound = new SessionTable<DmsgSession>();
  readonly #abort = new AbortController();
  readonly #loops: Promise<void>[] = [];
  readonly #sleepers = new Set<() => void>();
  #dialing = 0;
  #closed = false;

  /** Remember the peers; nothing is dialed until {@linkcode start}. */
  constructor(options: PeerLinksOptions) {
    this.#o = options;
    this.#keys = new Set(options.peers.map((peer) => peer.pk.hex()));
  }

  /** Whether `pk` is a configured peer (its sessions are peer links, not clients). */
  isPeer(pk: PubKey): boolean {
    return this.#keys.has(pk.hex());
  }

  /** Counters. */
  stats(): { inbound: number; outbound: number; dialing: number; timers: number } {
    return {
      inbound: this.#inbound.size,
      outbound: this.#outbound.size,
      dialing: this.#dialing,
      timers: this.#sleepers.size,
    };
  }

  /** Start one dial loop per peer. */
  start(): void {
    for (const peer of this.#o.peers) this.#loops.push(this.#dialLoop(peer));
  }

  /** Live links, the one to `preferred` (if any) first, one per peer (outbound preferred). */
  links(preferred: PubKey): DmsgSession[] {
    const out: DmsgSession[] = [];
    const seen = new Set<string>();
    for (const table of [this.#outbound, this.#inbound]) {
      for (const session of table.values()) {
        const key = session.remotePk.hex();
        if (seen.has(key) || session.isClosed) continue;
        seen.add(key);
        if (session.remotePk.equals(preferred)) out.unshift(session);
        else out.push(session);
      }
    }
    return out;
  }

  /** Serve a link a peer opened to us until it ends (a newer link from it replaces this one). */
  async adoptInbound(session: DmsgSession): Promise<void> {
    const key = session.remotePk.hex();
    this.#inbound.replace(session.remotePk, session)?.close();
    this.#o.logger?.info("peer link accepted", { peer: key, remote: session.address });
    try {
      await this.#o.serve(session);
    } finally {
      this.#inbound.release(session.remotePk, session);
      this.#o.logger?.info("peer link closed", { peer: key, remote: session.address });
    }
  }

  /** Stop dialing, close every link; resolves when all loops have ended. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    for (const wake of this.#sleepers) wake();
    const sessions = [...this.#outbound.values(), ...this.#inbound.values()];
    await Promise.all(sessions.map((session) => session.close()));
    await Promise.all(this.#loops);
  }

  async #dialLoop(peer: PeerConfig): Promise<void> {
    const base = this.#o.reconnectBaseMs ?? PEER_RECONNECT_BASE_MS;
    const key = peer.pk.hex();
    let backoff = base;
    while (!this.#closed) {
      let session: DmsgSession | undefined;
      this.#dialing++;
      try {
        session = await dialSession({
          address: peer.address,
          serverPk: peer.pk,
          keyPair: this.#o.keyPair,
          signal: this.#abort.signal,
          yamux: this.#o.yamux,
        });
      } catch (error) {
        if (!this.#closed) {
          this.#o.logger?.debug("peer dial failed", { peer: key, address: peer.address, error });
        }
      } finally {
        this.#dialing--;
      }
      if (session) {
        if (this.#closed) {
          await session.close();
          break;
        }
        this.#outbound.replace(peer.pk, session)?.close();
        this.#o.logger?.info("peer link up", { peer: key, address: peer.address });
        backoff = base;
        try {
          await this.#o.serve(session);
        } finally {
          this.#outbound.release(peer.pk, session);
          this.#o.logger?.info("peer link down", { peer: key, address: peer.address });
        }
      }
      if (this.#closed) break;
      await this.#sleep(backoff);
      backoff = Math.min(backoff * PEER_RECONNECT_FACTOR, RECONNECT_MAX_MS);
    }
  }

  async #sleep(ms: number): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>();
    const timer = setTimeout(resolve, ms);
    this.#sleepers.add(resolve);
    try {
      await promise;
    } finally {
      clearTimeout(timer);
      this.#sleepers.delete(resolve);
    }
  }
}
