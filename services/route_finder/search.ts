/**
 * The route search: breadth first from the source over the transport graph, one level per
 * read of the {@linkcode TransportSource}, to a depth limit; no recursion, and memory bounded
 * by the number of visors it may visit. Results follow Go's route finder (`Shortest`): every
 * neighbour of the destination reached on a shortest path gives a route (that path plus the
 * hop to the destination), shortest first, those within `[minHops, maxHops]`, at most
 * `maxRoutes`. A destination equal to the source gives loop routes (`visor ping`).
 *
 * @module
 */
import type { TransportLink, TransportSource } from "./source.ts";

/** One hop of a found route, as Go's `routing.Hop` JSON. */
export interface FoundHop {
  /** Transport id. */
  TpID: string;
  /** Public key hex of the hop's start. */
  From: string;
  /** Public key hex of its end. */
  To: string;
}

/** Limits of one search. */
export interface SearchOptions {
  /** Fewest hops a route may have. */
  minHops: number;
  /** Most hops a route may have (also capped by `maxDepth`). */
  maxHops: number;
  /** Routes returned at most (Go: 5). */
  maxRoutes: number;
  /** Deepest level searched, whatever `maxHops` asks. */
  maxDepth: number;
  /** Visors the search may hold; past it the search stops where it is. */
  maxVisited: number;
  /** Abandons the search. */
  signal?: AbortSignal;
}

/** Why a search found nothing, with Go's texts (the answers are 404s). */
export const SEARCH_ERRORS = {
  /** The source has no transports (Go's transport discovery store error). */
  noTransports: "transport not found",
  /** The destination is not reachable (Go `ErrNoRoute`). */
  noRoute: "no route to destination",
  /** Reachable, but no route fits the hop limits (Go `ErrRouteNotFound`). */
  notFound: "route not found",
} as const;

/** A search's outcome: routes, or why there are none. */
export type SearchResult =
  | { ok: true; routes: FoundHop[][] }
  | { ok: false; error: (typeof SEARCH_ERRORS)[keyof typeof SEARCH_ERRORS] };

interface Reached {
  from: string;
  tpId: string;
}

/** Find routes from `src` to `dst` (public key hex, lowercase). */
export async function findRoutes(
  source: TransportSource,
  src: string,
  dst: string,
  options: SearchOptions,
): Promise<SearchResult> {
  const depthLimit = Math.min(options.maxHops, options.maxDepth);
  // How each visor was first reached: the shortest-path tree, walked back from the end.
  const reached = new Map<string, Reached | null>([[src, null]]);
  const candidates: Array<{ via: string; tpId: string; length: number }> = [];
  let fitting = 0;
  let frontier = [src];
  let sawDestination = false;
  for (let depth = 0; frontier.length > 0 && depth < depthLimit; depth++) {
    options.signal?.throwIfAborted();
    const links = await source.byEdges(frontier, options.signal);
    if (depth === 0 && links.length === 0) return { ok: false, error: SEARCH_ERRORS.noTransports };
    const incident = byEdge(links, frontier);
    const next: string[] = [];
    for (const u of frontier) {
      const toDestination = new Set<string>();
      for (const link of incident.get(u) ?? []) {
        const v = link.edges[0] === u ? link.edges[1] : link.edges[0];
        if (v === dst) {
          sawDestination = true;
          // One route per neighbour of the destination (Go keeps one transport per pair).
          if (toDestination.has(u)) continue;
          toDestination.add(u);
          candidates.push({ via: u, tpId: link.id, length: depth + 1 });
          if (depth + 1 >= options.minHops) fitting++;
        } else if (!reached.has(v) && reached.size < options.maxVisited) {
          reached.set(v, { from: u, tpId: link.id });
          next.push(v);
        }
      }
    }
    // Later levels only give longer routes, which sort after these.
    if (fitting >= options.maxRoutes) break;
    frontier = next;
  }
  if (!sawDestination) return { ok: false, error: SEARCH_ERRORS.noRoute };
  const routes: FoundHop[][] = [];
  for (const c of candidates) {
    if (routes.length === options.maxRoutes) break;
    if (c.length < options.minHops || c.length > options.maxHops) continue;
    const hops: FoundHop[] = [{ TpID: c.tpId, From: c.via, To: dst }];
    for (let at = reached.get(c.via); at; at = reached.get(at.from)) {
      hops.push({ TpID: at.tpId, From: at.from, To: hops.at(-1)!.From });
    }
    routes.push(hops.reverse());
  }
  if (routes.length === 0) return { ok: false, error: SEARCH_ERRORS.notFound };
  return { ok: true, routes };
}

// The links of each frontier visor (a link between two frontier visors counts for both).
function byEdge(links: TransportLink[], frontier: string[]): Map<string, TransportLink[]> {
  const wanted = new Set(frontier);
  const out = new Map<string, TransportLink[]>();
  for (const link of links) {
    for (const edge of new Set(link.edges)) {
      if (!wanted.has(edge)) continue;
      const list = out.get(edge);
      if (list) list.push(link);
      else out.set(edge, [link]);
    }
  }
  return out;
}
