import type { PubKey, SecKey } from "../../cipher/mod.ts";
import type { Logger } from "../../log/mod.ts";
import type { DiscoveryClient } from "./client.ts";
import { DiscoveryError } from "./errors.ts";
import { type Entry, nowNanos } from "./entry.ts";
import { signEntry } from "./entry_sign.ts";

// After a failed publish, try again this soon (bounded by the interval).
const RETRY_MS = 5_000;

/** Options for {@linkcode EntryPublisher}. */
export interface EntryPublisherOptions {
  /** The discovery to publish to. */
  discovery: DiscoveryClient;
  /** The entity's public key. */
  pk: PubKey;
  /** The entity's secret key (signs every iteration). */
  sk: SecKey;
  /**
   * The entry as it should be now, built from the last published one (or `undefined` before
   * the first): keep its `sequence`, set the fields this entity owns. Unsigned.
   */
  build: (current: Entry | undefined) => Entry;
  /** Whether `current` (the last published entry) differs from what `build` would produce. */
  changed: (current: Entry) => boolean;
  /** Debounce for {@linkcode EntryPublisher.nudge}, ms. */
  debounceMs: number;
  /** Publish at least this often, ms. */
  intervalMs: number;
  /** Called after each successful publish with the stored entry. */
  onPublished?: (entry: Entry) => void;
  /** Logs failures. */
  logger?: Logger;
  /**
   * The key was just made, so nothing can be stored under it: the first publish registers
   * (sequence 0) without reading the stored entry first. A failed one reads before retrying.
   */
  freshKey?: boolean;
}

/**
 * Keeps an entity's discovery entry current, as Go's `updateClientEntry`/`updateServerEntry`:
 * the first publish reads the stored entry and registers (sequence 0) when there is none,
 * later ones put the next iteration (sequence + 1, fresh timestamp, signed), skipped when
 * nothing changed and no refresh is due. Publishes never overlap; {@linkcode nudge} debounces
 * bursts of changes; a refresh runs every `intervalMs`; a failure is retried after 5 s.
 */
export class EntryPublisher {
  readonly #o: EntryPublisherOptions;
  readonly #abort = new AbortController();
  #current: Entry | undefined;
  #lastPublish = -Infinity;
  #chain: Promise<void> = Promise.resolve();
  #debounceTimer: ReturnType<typeof setTimeout> | undefined;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #storedUnknown: boolean;

  /** Create the publisher; nothing is sent until {@linkcode publish} or {@linkcode start}. */
  constructor(options: EntryPublisherOptions) {
    this.#o = options;
    this.#storedUnknown = !options.freshKey;
  }

  /** The last entry published (or read back), if any. */
  get current(): Entry | undefined {
    return this.#current;
  }

  /** Armed timers (debounce and refresh). */
  get timers(): number {
    return (this.#debounceTimer !== undefined ? 1 : 0) + (this.#refreshTimer !== undefined ? 1 : 0);
  }

  /** Publish now (after any publish in progress). Rejects with the discovery's error. */
  publish(force = true): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const run = this.#chain.then(() => this.#publishOnce(force));
    this.#chain = run.catch(() => {});
    return run;
  }

  /** Publish once and start the refresh timer; resolves even if that first publish failed. */
  async start(): Promise<void> {
    try {
      await this.publish();
    } catch (error) {
      this.#o.logger?.warn("discovery entry not published", { error });
      this.#schedule(Math.min(RETRY_MS, this.#o.intervalMs));
      return;
    }
    this.#schedule(this.#o.intervalMs);
  }

  /** Something changed: publish after the debounce, once for a burst of changes. */
  nudge(): void {
    if (this.#closed || this.#debounceTimer !== undefined) return;
    this.#debounceTimer = setTimeout(() => {
      this.#debounceTimer = undefined;
      this.#runScheduled(false);
    }, this.#o.debounceMs);
  }

  /** Stop the timers and abandon a publish in progress; resolves when it has stopped. */
  close(): Promise<void> {
    return this.#stop(false);
  }

  /**
   * Stop publishing and remove our entry from the discovery (as Go's `Close` does). A publish
   * in flight is let finish first, so it cannot land after the delete. The delete carries a
   * fresh iteration of the entry (sequence + 1, timestamp now, signed now): a discovery that
   * refuses replays of its served entry takes nothing less as the key holder's word. When our
   * idea of the stored sequence is out of date (the first post was cut off, or another writer
   * moved it on), the stored entry is read and the delete signed once more on top of it. A
   * failed delete is logged, not thrown.
   */
  async retire(): Promise<void> {
    await this.#stop(true);
    await this.#deleteSigned().catch((error) =>
      this.#o.logger?.warn("discovery entry not deleted", { error })
    );
  }

  async #deleteSigned(): Promise<void> {
    const { discovery, sk } = this.#o;
    let base = this.#current;
    for (let attempt = 0;; attempt++) {
      const entry = signEntry({
        ...(base ?? this.#o.build(undefined)),
        sequence: base ? base.sequence + 1n : 0n,
        timestamp: nowNanos(),
      }, sk);
      try {
        await discovery.deleteEntry(entry);
        return;
      } catch (error) {
        const stale = error instanceof DiscoveryError &&
          (error.kind === "wrongSequence" || error.kind === "wrongTime");
        if (!stale || attempt > 0) throw error;
      }
      try {
        base = await discovery.getEntry(this.#o.pk);
      } catch (error) {
        // Gone meanwhile: nothing left to delete.
        if (error instanceof DiscoveryError && error.kind === "keyNotFound") return;
        throw error;
      }
    }
  }

  async #stop(finishInFlight: boolean): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!finishInFlight) this.#abort.abort();
    if (this.#debounceTimer !== undefined) clearTimeout(this.#debounceTimer);
    if (this.#refreshTimer !== undefined) clearTimeout(this.#refreshTimer);
    this.#debounceTimer = this.#refreshTimer = undefined;
    await this.#chain;
  }

  #schedule(ms: number): void {
    if (this.#closed) return;
    if (this.#refreshTimer !== undefined) clearTimeout(this.#refreshTimer);
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = undefined;
      this.#runScheduled(true);
    }, ms);
  }

  #runScheduled(force: boolean): void {
    this.publish(force).then(
      () => this.#schedule(this.#o.intervalMs),
      (error) => {
        if (this.#closed) return;
        this.#o.logger?.warn("discovery entry update failed", { error });
        this.#schedule(Math.min(RETRY_MS, this.#o.intervalMs));
      },
    );
  }

  async #publishOnce(force: boolean): Promise<void> {
    if (this.#closed) return;
    const { discovery, sk } = this.#o;
    const signal = this.#abort.signal;
    try {
      if (!this.#current) {
        let stored: Entry | undefined;
        // Only a fresh key's first publish skips the read; after a failure we read again.
        const read = this.#storedUnknown;
        this.#storedUnknown = true;
        if (read) {
          try {
            stored = await discovery.getEntry(this.#o.pk, { signal });
          } catch (error) {
            if (!(error instanceof DiscoveryError && error.kind === "keyNotFound")) throw error;
          }
        }
        if (!stored) {
          const first = signEntry(
            { ...this.#o.build(undefined), sequence: 0n, timestamp: nowNanos() },
            sk,
          );
          await discovery.postEntry(first, { signal });
          this.#published(first);
          return;
        }
        this.#current = stored;
      }
      const due = performance.now() - this.#lastPublish >= this.#o.intervalMs;
      if (!force && !due && !this.#o.changed(this.#current)) return;
      const result = await discovery.putEntry(this.#o.build(this.#current), sk, { signal });
      if (result.applied) this.#published(result.entry);
      else {
        // Someone stored a newer iteration under our key: build on top of it.
        this.#current = result.entry;
        const again = await discovery.putEntry(this.#o.build(result.entry), sk, { signal });
        if (!again.applied) throw new Error("discovery keeps a newer entry for our key");
        this.#published(again.entry);
      }
    } catch (error) {
      // Closing aborts a publish in flight, which may already have been applied; keep the last
      // entry so that close() can still delete ours.
      if (this.#closed) return;
      // Start again from what the discovery holds next time.
      this.#current = undefined;
      throw error;
    }
  }

  #published(entry: Entry): void {
    this.#current = entry;
    this.#lastPublish = performance.now();
    this.#o.onPublished?.(entry);
  }
}
