/**
 * The discovery's listings, bounded in memory and time whatever the store holds: each reads a
 * bounded range of small index records (never an entry to decode), concurrent requests for the
 * same listing share one read (and its result for a second, until the next write), and reads
 * that cannot be shared wait for one of a few slots.
 *
 * @module
 */
import { stringArray } from "./_json.ts";
import type { DiscoveryStore, ServerRecord } from "./store.ts";

/** Most client keys `/entries` and `/visorEntries` answer (Go lists all; here a bound). */
export const MAX_LISTED_CLIENTS = 8_192;
/** Most server records a server listing reads. */
export const MAX_SCANNED_SERVERS = 2_048;
/** Go's cap on `available_servers` answers (`maxGetAvailableServersResult`). */
export const MAX_AVAILABLE_SERVERS = 512;
/** Most client–server delegations `/servers/clients` answers. */
export const MAX_LISTED_DELEGATIONS = 16_384;
/** How long a listing is shared when nothing was written meanwhile. */
export const LISTING_TTL_MS = 1_000;
// Listings read at once that are not shared (one server's clients).
const SCAN_SLOTS = 4;

interface Shared<T> {
  value: Promise<T>;
  generation: number;
  builtAt: number;
  clockAt: number;
}

/** Options for {@linkcode Listings}. */
export interface ListingsOptions {
  /** Where the records are. */
  store: DiscoveryStore;
  /** The discovery's millisecond clock (entries expire by it). */
  now: () => number;
}

/** The bounded listings over one store. */
export class Listings {
  readonly #store: DiscoveryStore;
  readonly #now: () => number;
  readonly #shared = new Map<string, Shared<unknown>>();
  #generation = 0;
  #slotsFree = SCAN_SLOTS;
  readonly #waiting: Array<() => void> = [];

  /** Listings over `options.store`. */
  constructor(options: ListingsOptions) {
    this.#store = options.store;
    this.#now = options.now;
  }

  /** Something was written: listings read before it are not shared any more. */
  changed(): void {
    this.#generation++;
  }

  /**
   * The shared result of `read` under `key`: the one in progress or read within the last
   * second with no write since, else a new read. A failed read is not kept.
   */
  #share<T>(key: string, read: () => Promise<T>): Promise<T> {
    const found = this.#shared.get(key) as Shared<T> | undefined;
    if (
      found && found.generation === this.#generation &&
      performance.now() - found.builtAt < LISTING_TTL_MS &&
      this.#now() - found.clockAt < LISTING_TTL_MS
    ) {
      return found.value;
    }
    const entry: Shared<T> = {
      value: read(),
      generation: this.#generation,
      builtAt: performance.now(),
      clockAt: this.#now(),
    };
    this.#shared.set(key, entry);
    entry.value.catch(() => {
      if (this.#shared.get(key) === entry) this.#shared.delete(key);
    });
    return entry.value;
  }

  /** Run `read` in one of the scan slots (acquired before it starts). */
  async #slot<T>(read: () => Promise<T>): Promise<T> {
    while (this.#slotsFree === 0) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.#slotsFree--;
    try {
      return await read();
    } finally {
      this.#slotsFree++;
      this.#waiting.shift()?.();
    }
  }

  /** Keys (hex) of live clients, or visors, at most {@linkcode MAX_LISTED_CLIENTS}. */
  clientKeys(visorsOnly: boolean): Promise<string[]> {
    return this.#share(
      visorsOnly ? "visors" : "clients",
      () => this.#store.clientKeys({ visorsOnly, limit: MAX_LISTED_CLIENTS }),
    );
  }

  /**
   * {@linkcode clientKeys} as the JSON array `/entries` (or `/visorEntries`) answers, built
   * once per shared read rather than once per request.
   */
  clientKeysJson(visorsOnly: boolean): Promise<Uint8Array> {
    return this.#share(
      visorsOnly ? "visors.json" : "clients.json",
      async () => stringArray(await this.clientKeys(visorsOnly)),
    );
  }

  /** Live servers, at most {@linkcode MAX_SCANNED_SERVERS}, in key order (shared: do not sort). */
  servers(): Promise<readonly ServerRecord[]> {
    return this.#share("servers", () => this.#store.servers(MAX_SCANNED_SERVERS));
  }

  /** Client keys grouped by server, at most {@linkcode MAX_LISTED_DELEGATIONS} in all. */
  clientsByServer(): Promise<ReadonlyMap<string, string[]>> {
    return this.#share("delegations", async () => {
      const grouped = new Map<string, string[]>();
      for (const [server, client] of await this.#store.delegations(MAX_LISTED_DELEGATIONS)) {
        const list = grouped.get(server);
        if (list) list.push(client);
        else grouped.set(server, [client]);
      }
      return grouped;
    });
  }

  /** Keys of the clients delegating to `serverHex`, at most {@linkcode MAX_LISTED_CLIENTS}. */
  clientsOf(serverHex: string): Promise<string[]> {
    return this.#slot(() => this.#store.clientsOf(serverHex, MAX_LISTED_CLIENTS));
  }
}
