import { isTransportIdText, PubKey } from "../cipher/mod.ts";
import { readAllLimited } from "../conn/mod.ts";
import type { routingGob } from "../routing/mod.ts";
import { DEFAULT_MAX_HOPS, ROUTE_FINDER_TIMEOUT_MS } from "./constants.ts";
import { NoRouteError, RouteDialError } from "./errors.ts";

/** Largest route finder answer read (a few thousand hops). */
const MAX_ANSWER_BYTES = 1024 * 1024;

/** Hop limits of a route search (Go `rfclient.RouteOptions`). */
export interface RouteOptions {
  /** Fewest hops a route may have. */
  minHops?: number;
  /** Most hops a route may have (default 50). */
  maxHops?: number;
}

/** A source and a destination visor (Go `routing.PathEdges`). */
export type PathEdges = readonly [PubKey, PubKey];

/** What finds routes: paths per edge pair, best first. */
export interface RouteFinder {
  /** Paths for each pair in `edges`; the map key is {@linkcode pathEdgesKey}. */
  findRoutes(
    edges: PathEdges[],
    options?: RouteOptions & { signal?: AbortSignal },
  ): Promise<Map<string, routingGob.Hop[][]>>;
}

/** The JSON form of a pair, `srcPK:dstPK` (Go `PathEdges.MarshalText`), used as map key. */
export function pathEdgesKey(edges: PathEdges): string {
  return `${edges[0].hex()}:${edges[1].hex()}`;
}

/** Options for {@linkcode RouteFinderClient}. */
export interface RouteFinderClientOptions {
  /** Base URL of the route finder (`routing.route_finder`). */
  url: string;
  /** Limit of one request, ms (default 10 s, `routing.route_finder_timeout`). */
  timeoutMs?: number;
  /** The fetch to use. */
  fetch?: typeof fetch;
}

/**
 * The route finder's HTTP client (Go `rfclient`): `POST /routes` with
 * `{"Edges":["src:dst",…],"Opts":{"MinHops":n,"MaxHops":m}}`, answered with
 * `{"src:dst":[[{"TpID","From","To"},…],…]}`. A 404 means no route ({@linkcode NoRouteError});
 * other failures throw {@linkcode RouteDialError} (`route_finder`) with the service's message.
 */
export class RouteFinderClient implements RouteFinder {
  readonly #url: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  /** Create the client. */
  constructor(options: RouteFinderClientOptions) {
    this.#url = options.url.replace(/\/+$/, "");
    this.#timeoutMs = options.timeoutMs ?? ROUTE_FINDER_TIMEOUT_MS;
    this.#fetch = options.fetch ?? fetch;
  }

  /** {@inheritDoc RouteFinder.findRoutes} */
  async findRoutes(
    edges: PathEdges[],
    options: RouteOptions & { signal?: AbortSignal } = {},
  ): Promise<Map<string, routingGob.Hop[][]>> {
    const body = JSON.stringify({
      Edges: edges.map(pathEdgesKey),
      Opts: { MinHops: options.minHops ?? 0, MaxHops: options.maxHops ?? DEFAULT_MAX_HOPS },
    });
    const limit = AbortSignal.timeout(this.#timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, limit]) : limit;
    let text: string;
    let status: number;
    try {
      const response = await this.#fetch(`${this.#url}/routes`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal,
      });
      status = response.status;
      text = response.body
        ? new TextDecoder().decode(
          await readAllLimited(response.body, {
            limit: MAX_ANSWER_BYTES,
            tooLarge: () => new RouteDialError("route_finder", "route finder answer too large"),
          }),
        )
        : "";
    } catch (cause) {
      if (cause instanceof RouteDialError) throw cause;
      const why = limit.aborted ? `timed out after ${this.#timeoutMs} ms` : String(cause);
      throw new RouteDialError("route_finder", `route finder ${this.#url}: ${why}`, { cause });
    }
    if (status === 404) throw new NoRouteError();
    if (status !== 200) {
      throw new RouteDialError("route_finder", `route finder: status ${status}: ${message(text)}`);
    }
    return parseRoutes(text);
  }
}

function message(text: string): string {
  try {
    const parsed = JSON.parse(text);
    if (typeof parsed?.error?.message === "string") return parsed.error.message;
  } catch {
    // not JSON
  }
  return text.trim().slice(0, 200);
}

/** Parse a `/routes` answer; throws {@linkcode RouteDialError} on anything malformed. */
export function parseRoutes(text: string): Map<string, routingGob.Hop[][]> {
  const bad = (why: string) => new RouteDialError("route_finder", `route finder answer: ${why}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad("invalid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw bad("not an object");
  }
  const out = new Map<string, routingGob.Hop[][]>();
  for (const [key, paths] of Object.entries(value)) {
    if (!Array.isArray(paths)) throw bad(`paths of ${key} are not a list`);
    out.set(
      key,
      paths.map((path) => {
        if (!Array.isArray(path)) throw bad("a path is not a list");
        return path.map((hop) => parseHop(hop, bad));
      }),
    );
  }
  return out;
}

function parseHop(hop: unknown, bad: (why: string) => Error): routingGob.Hop {
  const h = hop as Record<string, unknown> | null;
  if (typeof h !== "object" || h === null) throw bad("a hop is not an object");
  const { TpID, From, To } = h;
  if (typeof TpID !== "string" || !isTransportIdText(TpID.toLowerCase())) {
    throw bad("a hop has no transport id");
  }
  try {
    return {
      TpID: TpID.toLowerCase(),
      From: PubKey.fromHex(String(From)),
      To: PubKey.fromHex(String(To)),
    };
  } catch {
    throw bad("a hop has an invalid key");
  }
}
