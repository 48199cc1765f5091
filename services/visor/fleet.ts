/**
 * The hypervisor's side of the fleet link: listen on dmsg port `hypervisor.dmsg_port` (46),
 * take each stream a visor dials there as that visor's link (its key is the stream's remote
 * key, authenticated by dmsg's Noise handshake) and call the visor's RPC over it as Go's
 * hypervisor does. {@linkcode FleetHub.fleet} gives the UI this node first, then the visors
 * connected now.
 *
 * Limits: at most `maxVisors` links (more are closed at once); one link per key (a newer one
 * replaces the older); every call times out; replies over `maxReplyBytes` end the link; a link
 * whose stream ends, or that misses two heartbeats in a row, is dropped and subscribers hear of it.
 *
 * @module
 */
import type { DmsgClient, DmsgListener, DmsgStream } from "../../mod/dmsg/mod.ts";
import { RpcClient } from "../../mod/gob/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";
import { FleetMember } from "./_fleet_member.ts";
import type { VisorApi } from "./api.ts";
import { type Fleet, localVisor } from "./fleet_types.ts";
import { HYPERVISOR_DMSG_PORT } from "./hv_link.ts";
import * as hv from "./hv_rpc_types.ts";

/** Options for {@linkcode FleetHub}. */
export interface FleetHubOptions {
  /** This node's dmsg client. */
  dmsg: Pick<DmsgClient, "listen">;
  /** Where joins and leaves are logged. */
  logger: Logger;
  /** The dmsg port visors dial (default {@linkcode HYPERVISOR_DMSG_PORT}). */
  port?: number;
  /** Most visors connected at once (default 256). */
  maxVisors?: number;
  /** Every RPC call gives up after this long, ms (default 20,000, Go's `RPCTimeout`). */
  callTimeoutMs?: number;
  /** `AddTransport` gives up after this long, ms (default 60,000, Go's). */
  addTransportTimeoutMs?: number;
  /** Largest reply message accepted, bytes (default 4 MiB); a larger one ends the link. */
  maxReplyBytes?: number;
  /** How often each visor is asked for its health, ms (default 30,000; 0: never). */
  heartbeatMs?: number;
}

/** Counters for leak tests. */
export interface FleetHubStats {
  /** Visors connected. */
  members: number;
  /** Links accepted and not yet released (members plus links being dropped). */
  links: number;
  /** Subscribers. */
  listeners: number;
}

// Heartbeats missed in a row before a link counts as dead.
const MAX_MISSED_HEARTBEATS = 2;

/** The remote visors connected to this node's hypervisor port. */
export class FleetHub {
  readonly #options: FleetHubOptions;
  readonly #log: Logger;
  readonly #members = new Map<string, FleetMember>();
  readonly #links = new Set<Promise<void>>();
  readonly #listeners = new Set<() => void>();
  readonly #missed = new Map<FleetMember, number>();
  #listener: DmsgListener | undefined;
  #accepting: Promise<void> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  /** A hub; {@linkcode start} listens. */
  constructor(options: FleetHubOptions) {
    this.#options = options;
    this.#log = options.logger;
  }

  /** The dmsg port it listens on. */
  get port(): number {
    return this.#options.port || HYPERVISOR_DMSG_PORT;
  }

  /** Listen and accept links until {@linkcode close}. Throws when the port is taken. */
  start(): void {
    if (this.#listener || this.#closed) return;
    this.#listener = this.#options.dmsg.listen(this.port);
    this.#accepting = this.#acceptLoop(this.#listener);
    const every = this.#options.heartbeatMs ?? 30_000;
    if (every > 0) this.#heartbeat = setInterval(() => this.#beat(), every);
    this.#log.info("hypervisor listening for visors", { dmsg_port: this.port });
  }

  /** The connected visors, oldest link first. */
  members(): FleetMember[] {
    return [...this.#members.values()];
  }

  /** One connected visor by key (hex, any case). */
  member(pk: string): FleetMember | undefined {
    return this.#members.get(pk.toLowerCase());
  }

  /** Call `listener` when a visor joins or leaves; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    const entry = () => listener();
    this.#listeners.add(entry);
    return () => this.#listeners.delete(entry);
  }

  /** Counters for leak tests. */
  stats(): FleetHubStats {
    return {
      members: this.#members.size,
      links: this.#links.size,
      listeners: this.#listeners.size,
    };
  }

  /** The fleet the UI shows: `local` (this node) first, then the connected visors. */
  fleet(local: VisorApi, startedAt: Date): Fleet {
    const self = localVisor(local, startedAt);
    return {
      list: () => [self, ...this.members()],
      get: (pk) => {
        const key = pk.toLowerCase();
        return key === self.pk ? self : this.#members.get(key);
      },
      subscribe: (listener) => this.subscribe(listener),
    };
  }

  /** Stop listening, drop every link, and wait until all are released. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.#listener?.close();
    await this.#accepting;
    for (const member of this.#members.values()) void member.client.close();
    await Promise.all([...this.#links]);
    this.#listeners.clear();
  }

  async #acceptLoop(listener: DmsgListener): Promise<void> {
    for (;;) {
      let stream: DmsgStream | null;
      try {
        stream = await listener.accept();
      } catch (error) {
        this.#log.warn("hypervisor port stopped accepting", { error });
        return;
      }
      if (stream === null) return;
      this.#admit(stream);
    }
  }

  #admit(stream: DmsgStream): void {
    const pk = stream.remoteAddr.pk.hex();
    const previous = this.#members.get(pk);
    const max = this.#options.maxVisors ?? 256;
    if (this.#closed || (!previous && this.#members.size >= max)) {
      this.#log.warn("refusing a visor link: the fleet is full", { visor: pk, max_visors: max });
      try {
        stream.close();
      } catch {
        // already closed
      }
      return;
    }
    const client = new RpcClient(stream, {
      maxMessageSize: this.#options.maxReplyBytes ?? 4 * 1024 * 1024,
    });
    const member = new FleetMember(pk, client, {
      callTimeoutMs: this.#options.callTimeoutMs ?? 20_000,
      addTransportTimeoutMs: this.#options.addTransportTimeoutMs ?? 60_000,
    }, stream.serverPk);
    // The newer link wins: the older one's release below sees it is no longer the entry.
    this.#members.set(pk, member);
    if (previous) {
      this.#log.info("visor reconnected; replacing its older link", { visor: pk });
      void previous.client.close();
    } else {
      this.#log.info("visor joined", { visor: pk, server: stream.serverPk.hex() });
    }
    const released = client.closed.then(() => {
      this.#missed.delete(member);
      // Identity-checked: a replacement may hold the key by now.
      if (this.#members.get(pk) !== member) return;
      this.#members.delete(pk);
      this.#log.info("visor left", { visor: pk });
      this.#notify();
    });
    this.#links.add(released);
    released.finally(() => this.#links.delete(released));
    this.#notify();
    member.refresh().then(
      () => this.#notify(),
      (error) => this.#log.debug("first summary failed", { visor: pk, error: error.message }),
    );
  }

  #beat(): void {
    for (const member of this.#members.values()) {
      member.call("Health", hv.Empty, {}, hv.HealthInfo).then(
        () => this.#missed.delete(member),
        () => {
          const missed = (this.#missed.get(member) ?? 0) + 1;
          this.#missed.set(member, missed);
          if (missed >= MAX_MISSED_HEARTBEATS) {
            this.#log.info("visor missed its heartbeats; dropping its link", { visor: member.pk });
            void member.client.close();
          }
        },
      );
    }
  }

  #notify(): void {
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch (error) {
        this.#log.warn("a fleet subscriber failed", { error });
      }
    }
  }
}
