import type { KeyPair, PubKey, SecKey } from "../cipher/mod.ts";
import type { Logger } from "../log/mod.ts";
import { ENTRY_UPDATE_DEBOUNCE_MS } from "./constants.ts";
import { DiscoveryClient, EntryPublisher, type EntryPublisherOptions } from "./disc/mod.ts";
import { StreamEndpoint } from "./endpoint.ts";
import type { DmsgSession } from "./session.ts";

/** What {@linkcode EntityCore} is built from. */
export interface EntityCoreOptions {
  /** The entity's public key. */
  pk: PubKey;
  /** The entity's secret key. */
  sk: SecKey;
  /** The dmsg discovery: its URL or a client for it. */
  discovery: string | DiscoveryClient;
  /** Entry refresh period, ms (the entity's own default already applied). */
  updateIntervalMs: number;
  /** Entry update debounce after session changes, ms (default 1 s). */
  updateDebounceMs?: number;
  /** How the entity's entry is built, when it is stale, and what follows a publish. */
  entry: Pick<EntryPublisherOptions, "build" | "changed" | "onPublished">;
  /** Streams a listener holds before they are accepted. */
  acceptBuffer?: number;
  /** Idle timeout of streams to the entity, ms. */
  streamIdleTimeoutMs?: number;
  /** Stream handshake limit, ms. */
  streamHandshakeTimeoutMs?: number;
  /** Peers whose KK static-static DH the endpoint remembers (its default when absent). */
  staticDhCacheSize?: number;
  /** Logs for the publisher and the endpoint. */
  logger?: Logger;
  /** The key was just made: the first publish registers without reading a stored entry. */
  freshKey?: boolean;
}

/** The counters every entity reports, over its sessions. */
export interface EntityCoreStats {
  /** Ports held (listeners plus dialed streams). */
  ports: number;
  /** Open listeners. */
  listeners: number;
  /** Open streams to or from the entity itself. */
  streams: number;
  /** Stream handshakes in progress. */
  handshakes: number;
  /** Yamux streams over the sessions. */
  yamuxStreams: number;
  /** Yamux timers over the sessions. */
  yamuxTimers: number;
  /** Received bytes waiting unread in the sessions' yamux streams. */
  yamuxBufferedBytes: number;
  /** The endpoint's and the entry publisher's armed timers. */
  timers: number;
}

/**
 * What a dmsg client and a dmsg server share (Go's `EntityCommon`): the key pair, the discovery
 * client, the {@linkcode EntryPublisher} that keeps the entity's entry current, the
 * {@linkcode StreamEndpoint} for streams to the entity itself, and the counters. The sessions
 * live in a `SessionTable` and their streams are taken by `acceptStreams`, also shared.
 */
export class EntityCore {
  /** The entity's public key. */
  readonly pk: PubKey;
  /** The entity's key pair. */
  readonly keyPair: KeyPair;
  /** The discovery client in use. */
  readonly discovery: DiscoveryClient;
  /** Keeps the entity's entry current. */
  readonly publisher: EntryPublisher;
  /** Ports, listeners and streams to or from the entity itself. */
  readonly endpoint: StreamEndpoint;

  /** Wire the parts; nothing is sent until the publisher starts. */
  constructor(options: EntityCoreOptions) {
    this.pk = options.pk;
    this.keyPair = { pk: options.pk, sk: options.sk };
    this.discovery = typeof options.discovery === "string"
      ? new DiscoveryClient({ url: options.discovery })
      : options.discovery;
    this.endpoint = new StreamEndpoint({
      keyPair: this.keyPair,
      acceptBuffer: options.acceptBuffer,
      idleTimeoutMs: options.streamIdleTimeoutMs,
      handshakeTimeoutMs: options.streamHandshakeTimeoutMs,
      logger: options.logger,
      staticDhCacheSize: options.staticDhCacheSize,
    });
    this.publisher = new EntryPublisher({
      ...options.entry,
      discovery: this.discovery,
      pk: options.pk,
      sk: options.sk,
      debounceMs: options.updateDebounceMs ?? ENTRY_UPDATE_DEBOUNCE_MS,
      intervalMs: options.updateIntervalMs,
      logger: options.logger,
      freshKey: options.freshKey,
    });
  }

  /**
   * Close the endpoint (listeners and streams) and start retiring the entry: stop refreshing
   * it, and with `deleteEntry` also remove it from the discovery once an update in flight is
   * done. Resolves when the entry is retired; the caller awaits it while sessions wind down,
   * so a short exit budget still deletes the entry.
   */
  close(deleteEntry = false): Promise<void> {
    this.endpoint.close();
    return deleteEntry ? this.publisher.retire() : this.publisher.close();
  }

  /** The endpoint's counters and the yamux counters of `sessions`. */
  stats(sessions: Iterable<DmsgSession>): EntityCoreStats {
    const endpoint = this.endpoint.stats();
    let yamuxStreams = 0;
    let yamuxTimers = 0;
    let yamuxBufferedBytes = 0;
    for (const session of sessions) {
      const s = session.yamux.stats();
      yamuxStreams += s.streams;
      yamuxTimers += s.timers;
      yamuxBufferedBytes += s.bufferedBytes;
    }
    return {
      ports: endpoint.ports,
      listeners: endpoint.listeners,
      streams: endpoint.streams,
      handshakes: endpoint.handshakes,
      yamuxStreams,
      yamuxTimers,
      yamuxBufferedBytes,
      timers: endpoint.timers + this.publisher.timers,
    };
  }
}
