/**
 * Where the route finder reads transports: a {@linkcode TransportSource}. `skywire up` hands it
 * its transport discovery's store in-process; standalone, {@linkcode TpdTransportSource} asks a
 * transport discovery over HTTP (`POST /transports/edges` on ours and Go 2026's, `GET
 * /all-transports` on Go's 2025 one, which has no by-edges route).
 *
 * @module
 */
import { isTransportIdText } from "../../mod/cipher/mod.ts";
import { readAllLimited } from "../../mod/conn/mod.ts";

/** A transport as the search needs it. */
export interface TransportLink {
  /** Transport id, canonical UUID text. */
  id: string;
  /** Its two edges, lowercase public key hex. */
  edges: [string, string];
}

/** The transports of a set of visors. */
export interface TransportSource {
  /** Every live transport with an edge in `pks` (hex), each once. */
  byEdges(pks: string[], signal?: AbortSignal): Promise<TransportLink[]>;
}

/** Keys asked for in one request (our transport discovery's batch limit). */
export const EDGES_PER_REQUEST = 1_024;
/** Limit of one request to the transport discovery. */
export const TPD_REQUEST_TIMEOUT_MS = 10_000;
/** How long one `GET /all-transports` answer serves (discoveries without `/transports/edges`). */
export const ALL_TRANSPORTS_REUSE_MS = 1_000;
// A reply over this is refused rather than parsed (1024 hubs' worth of entries).
const MAX_REPLY_BYTES = 32 * 1024 * 1024;
const PK_HEX = /^[0-9a-f]{66}$/;

/** A failure to read the transport discovery. */
export class TransportSourceError extends Error {
  /** Create the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TransportSourceError";
  }
}

/**
 * Entries from a transport discovery's JSON list (`[{"t_id","edges":[a,b],…},…]`); entries
 * that are not well formed are skipped. Throws {@linkcode TransportSourceError} when the text
 * is not a JSON list.
 */
export function parseTransportLinks(text: string): TransportLink[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TransportSourceError("transport discovery answer is not JSON");
  }
  if (value === null) return [];
  if (!Array.isArray(value)) {
    throw new TransportSourceError("transport discovery answer is not a list");
  }
  const links: TransportLink[] = [];
  for (const item of value) {
    const id = typeof item?.t_id === "string" ? item.t_id.toLowerCase() : "";
    const edges = Array.isArray(item?.edges) ? item.edges : [];
    if (!isTransportIdText(id) || edges.length !== 2) continue;
    const [a, b] = edges.map((e: unknown) => typeof e === "string" ? e.toLowerCase() : "");
    if (PK_HEX.test(a) && PK_HEX.test(b)) links.push({ id, edges: [a, b] });
  }
  return links;
}

// Per-visor lookups of one level run this many at a time.
const LOOKUPS_AT_ONCE = 64;

/**
 * A source over a per-visor lookup (e.g. a transport discovery's store in the same process:
 * `skywire up` passes its `transportsByEdge`). Lookups run 64 at a time; each transport once.
 */
export function transportSourceFrom(
  byEdge: (pkHex: string) => Promise<Array<{ id: string; edges: [string, string] }>>,
): TransportSource {
  return {
    async byEdges(pks, signal) {
      const seen = new Map<string, TransportLink>();
      for (let i = 0; i < pks.length; i += LOOKUPS_AT_ONCE) {
        signal?.throwIfAborted();
        const found = await Promise.all(pks.slice(i, i + LOOKUPS_AT_ONCE).map(byEdge));
        for (const t of found.flat()) seen.set(t.id, { id: t.id, edges: t.edges });
      }
      return [...seen.values()];
    },
  };
}

/**
 * A transport discovery read over HTTP: `POST /transports/edges` with the keys of a search
 * level (ours and Go 2026's). A discovery without that route (Go's 2025 `transport-discovery`
 * answers 404 or 405) is read with `GET /all-transports` instead, filtered here and reused for
 * {@linkcode ALL_TRANSPORTS_REUSE_MS} so one search reads it once.
 */
export class TpdTransportSource implements TransportSource {
  readonly #url: string;
  readonly #fetch: typeof fetch;
  #byEdgesRoute = true;
  #all?: { at: number; links: TransportLink[] };

  /** `url` is the discovery's base URL. */
  constructor(url: string, options: { fetch?: typeof fetch } = {}) {
    this.#url = url.replace(/\/+$/, "");
    this.#fetch = options.fetch ?? fetch;
  }

  /** {@inheritDoc TransportSource.byEdges} */
  async byEdges(pks: string[], signal?: AbortSignal): Promise<TransportLink[]> {
    const seen = new Map<string, TransportLink>();
    for (let i = 0; i < pks.length && this.#byEdgesRoute; i += EDGES_PER_REQUEST) {
      const batch = JSON.stringify(pks.slice(i, i + EDGES_PER_REQUEST));
      const links = await this.#get("POST", "/transports/edges", batch, signal);
      if (links === undefined) this.#byEdgesRoute = false;
      else for (const link of links) seen.set(link.id, link);
    }
    if (this.#byEdgesRoute) return [...seen.values()];
    const wanted = new Set(pks);
    return (await this.#allTransports(signal)).filter((link) =>
      wanted.has(link.edges[0]) || wanted.has(link.edges[1])
    );
  }

  async #allTransports(signal?: AbortSignal): Promise<TransportLink[]> {
    const now = performance.now();
    if (this.#all && now - this.#all.at < ALL_TRANSPORTS_REUSE_MS) return this.#all.links;
    // Go answers 404 when it has no transports at all.
    const links = await this.#get("GET", "/all-transports", undefined, signal) ?? [];
    this.#all = { at: now, links };
    return links;
  }

  // The parsed list, or `undefined` when the discovery has no such route (404/405).
  async #get(
    method: string,
    path: string,
    body: string | undefined,
    signal?: AbortSignal,
  ): Promise<TransportLink[] | undefined> {
    const limit = new AbortController();
    const timer = setTimeout(() => limit.abort(), TPD_REQUEST_TIMEOUT_MS);
    try {
      return await this.#request(
        method,
        path,
        body,
        signal ? AbortSignal.any([signal, limit.signal]) : limit.signal,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  async #request(
    method: string,
    path: string,
    body: string | undefined,
    signal: AbortSignal,
  ): Promise<TransportLink[] | undefined> {
    const where = `transport discovery ${this.#url}${path}`;
    let response: Response;
    try {
      response = await this.#fetch(`${this.#url}${path}`, {
        method,
        headers: body === undefined ? undefined : { "content-type": "application/json" },
        body,
        signal,
      });
    } catch (cause) {
      throw new TransportSourceError(`${where}: ${cause}`, { cause });
    }
    if (response.status === 404 || response.status === 405) {
      await response.body?.cancel();
      return undefined;
    }
    let bytes: Uint8Array;
    try {
      bytes = response.body
        ? await readAllLimited(response.body, {
          limit: MAX_REPLY_BYTES,
          tooLarge: () => new TransportSourceError(`${where}: answer too large`),
        })
        : new Uint8Array(0);
    } catch (cause) {
      if (cause instanceof TransportSourceError) throw cause;
      throw new TransportSourceError(`${where}: ${cause}`, { cause });
    }
    if (response.status !== 200) {
      throw new TransportSourceError(`${where}: status ${response.status}`);
    }
    return parseTransportLinks(new TextDecoder().decode(bytes));
  }
}
