/**
 * The live client keys (and which of them are visors) in memory, for `/entries` and
 * `/visorEntries`: Deno KV lists about 30 µs per record, so a listing of thousands of clients
 * read from the store took tens of milliseconds. Filled at start-up from the store's client
 * index and kept by every committed write (through `DiscoveryStore`); bounded in keys. Past the
 * bound, or after the store changed under it, it is not complete and listings read the store.
 *
 * @module
 */

/** Most clients tracked (about 150 bytes each); more and listings read the store again. */
export const DEFAULT_CLIENT_INDEX_KEYS = 65_536;

interface Client {
  /** Unix ms after which the entry is gone; 0 = never. */
  expiresAt: number;
  visor: boolean;
}

/** Client keys by public key hex, with their expiry. */
export class ClientIndex {
  readonly #max: number;
  readonly #clients = new Map<string, Client>();
  #complete = false;

  /** An index of at most `maxKeys` clients. */
  constructor(maxKeys: number = DEFAULT_CLIENT_INDEX_KEYS) {
    this.#max = maxKeys;
  }

  /** Whether it holds every live client of the store. */
  get complete(): boolean {
    return this.#complete;
  }

  /** Clients held now (expired ones included until a listing drops them). */
  get size(): number {
    return this.#clients.size;
  }

  /** A committed write stored the entry of `pk`: a client (or visor) until `expiresAt`, or not. */
  stored(pk: string, client: { visor: boolean; expiresAt: number } | undefined): void {
    if (!client) {
      this.#clients.delete(pk);
      return;
    }
    if (!this.#clients.has(pk) && this.#clients.size >= this.#max) {
      this.clear();
      return;
    }
    this.#clients.set(pk, { visor: client.visor, expiresAt: client.expiresAt });
  }

  /** A committed write removed the entry of `pk`. */
  removed(pk: string): void {
    this.#clients.delete(pk);
  }

  /**
   * Start-up: `clients` and `visors` are the store's client and visor index records. Complete
   * if all fit.
   */
  async load(
    clients: AsyncIterable<[string, number]>,
    visors: AsyncIterable<[string, number]>,
  ): Promise<void> {
    this.clear();
    for await (const [pk, expiresAt] of clients) {
      if (this.#clients.size >= this.#max) return this.clear();
      this.#clients.set(pk, { visor: false, expiresAt });
    }
    for await (const [pk] of visors) {
      const client = this.#clients.get(pk);
      if (client) client.visor = true;
    }
    this.#complete = true;
  }

  /** Forget everything; not complete any more. */
  clear(): void {
    this.#clients.clear();
    this.#complete = false;
  }

  /**
   * Up to `limit` live client keys (or visor keys) at time `now`, in key order as the store
   * lists them; `undefined` when not complete (read the store).
   */
  keys(options: { visorsOnly: boolean; limit: number; now: number }): string[] | undefined {
    if (!this.#complete) return undefined;
    const out: string[] = [];
    for (const [pk, client] of this.#clients) {
      if (client.expiresAt !== 0 && client.expiresAt <= options.now) {
        this.#clients.delete(pk);
        continue;
      }
      if (!options.visorsOnly || client.visor) out.push(pk);
    }
    out.sort();
    if (out.length > options.limit) out.length = options.limit;
    return out;
  }
}
