/**
 * What the route finder does, without HTTP: read Go's `FindRoutesRequest`, search each pair,
 * and write Go's answer (a map from `"src:dst"` to routes) or its error.
 *
 * Request: `{"Edges":["<src>:<dst>",…],"Opts":{"MinHops":n,"MaxHops":m}}` (Go decodes field
 * names in any case; a missing `Opts` means 0 and 0, which no route fits). Answer:
 * `{"<src>:<dst>":[[{"TpID","From","To"},…],…],…}`, keys sorted as Go's `json.Marshal` sorts
 * them. Errors: `{"error":{"message":…,"code":N}}`; the first pair without a route makes the
 * whole answer a 404, as in Go.
 *
 * @module
 */
import { PubKey } from "../../mod/cipher/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";
import { findRoutes, type FoundHop } from "./search.ts";
import type { TransportSource } from "./source.ts";

/** Routes per pair (Go's `maxNumberOfRoutes`). */
export const MAX_ROUTES = 5;
/** Deepest search, whatever a request asks (Go visors ask up to 50; the setup node takes 32). */
export const MAX_SEARCH_DEPTH = 16;
/** Visors one search may hold. */
export const MAX_VISITED = 100_000;
/** Pairs one request may ask for (Go visors ask for two). */
export const MAX_PAIRS = 16;
/** Searches running at once; more get 503. */
export const MAX_CONCURRENT_SEARCHES = 16;
/** Limit of one request's searches. */
export const SEARCH_TIMEOUT_MS = 10_000;

/** Options for {@linkcode RouteFinderService}. */
export interface RouteFinderServiceOptions {
  /** Where transports are read. */
  source: TransportSource;
  /** Searches at once (default 16). */
  maxConcurrent?: number;
  /** Visors one search may hold (default 100 000). */
  maxVisited?: number;
  /** Limit of one request, ms (default 10 s). */
  timeoutMs?: number;
  /** Where failed reads of the source are logged. */
  logger: Logger;
}

/** An answer: the status and the JSON body. */
export interface RouteAnswer {
  /** HTTP status. */
  status: number;
  /** The body. */
  json: string;
}

/** Go's `{"error":{"message":…,"code":N}}`. */
export function errorAnswer(status: number, message: string): RouteAnswer {
  return { status, json: JSON.stringify({ error: { message, code: status } }) };
}

interface Pair {
  key: string;
  src: string;
  dst: string;
}

// Go's json matches field names in any case.
function field(object: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object[key];
}

function hops(value: unknown, name: string): number {
  if (value === undefined || value === null) return 0;
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 0xffff) {
    throw new TypeError(`Opts.${name} is not a uint16`);
  }
  return value as number;
}

function pubKeyHex(text: string): string {
  return PubKey.fromHex(text).hex();
}

/** Parse Go's request; throws `TypeError` with the reason. */
export function parseRoutesRequest(
  body: string,
): { pairs: Pair[]; minHops: number; maxHops: number } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new TypeError("request body is not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError("request body is not a JSON object");
  }
  const edges = field(value as Record<string, unknown>, "Edges") ?? [];
  if (!Array.isArray(edges)) throw new TypeError("Edges is not a list");
  if (edges.length > MAX_PAIRS) throw new TypeError(`more than ${MAX_PAIRS} pairs in Edges`);
  const pairs = edges.map((item): Pair => {
    // Go's PathEdges text: "<66 hex>:<66 hex>".
    if (typeof item !== "string" || item.length !== 133) {
      throw new TypeError(`Edges item ${JSON.stringify(item)} is not "srcPK:dstPK"`);
    }
    try {
      const src = pubKeyHex(item.slice(0, 66)), dst = pubKeyHex(item.slice(67));
      return { key: `${src}:${dst}`, src, dst };
    } catch {
      throw new TypeError(`Edges item ${JSON.stringify(item)} has an invalid public key`);
    }
  });
  const opts = field(value as Record<string, unknown>, "Opts");
  if (opts !== undefined && opts !== null && (typeof opts !== "object" || Array.isArray(opts))) {
    throw new TypeError("Opts is not an object");
  }
  const o = (opts ?? {}) as Record<string, unknown>;
  return {
    pairs,
    minHops: hops(field(o, "MinHops"), "MinHops"),
    maxHops: hops(field(o, "MaxHops"), "MaxHops"),
  };
}

/** Answers `POST /routes`. */
export class RouteFinderService {
  readonly #o: RouteFinderServiceOptions;
  #running = 0;

  /** Create the service. */
  constructor(options: RouteFinderServiceOptions) {
    this.#o = options;
  }

  /** Searches running now. */
  get running(): number {
    return this.#running;
  }

  /** Answer one request body. */
  async routes(body: string): Promise<RouteAnswer> {
    let request;
    try {
      request = parseRoutesRequest(body);
    } catch (error) {
      return errorAnswer(400, (error as Error).message);
    }
    // Taken before any search starts; a full house answers at once.
    if (this.#running >= (this.#o.maxConcurrent ?? MAX_CONCURRENT_SEARCHES)) {
      return errorAnswer(503, "route finder busy, try again");
    }
    this.#running++;
    const limit = new AbortController();
    const timeoutMs = this.#o.timeoutMs ?? SEARCH_TIMEOUT_MS;
    const timer = setTimeout(() => limit.abort(), timeoutMs);
    try {
      const found = new Map<string, FoundHop[][]>();
      for (const pair of request.pairs) {
        const result = await findRoutes(this.#o.source, pair.src, pair.dst, {
          minHops: request.minHops,
          maxHops: request.maxHops,
          maxRoutes: MAX_ROUTES,
          maxDepth: MAX_SEARCH_DEPTH,
          maxVisited: this.#o.maxVisited ?? MAX_VISITED,
          signal: limit.signal,
        });
        if (!result.ok) return errorAnswer(404, result.error);
        found.set(pair.key, result.routes);
      }
      const keys = [...found.keys()].sort();
      return {
        status: 200,
        json: `{${keys.map((k) => `"${k}":${JSON.stringify(found.get(k))}`).join(",")}}`,
      };
    } catch (error) {
      if (limit.signal.aborted) return errorAnswer(503, `route search took over ${timeoutMs} ms`);
      this.#o.logger.warn("route search failed", { error });
      return errorAnswer(500, "route search failed: " + (error as Error).message);
    } finally {
      clearTimeout(timer);
      this.#running--;
    }
  }
}
