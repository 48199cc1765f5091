/**
 * The fleet as the UI sees it: this node plus the visors that list this node's key in their
 * `hypervisors` and hold a connection to it over dmsg (port 46). Types only; the dmsg side
 * implements {@linkcode Fleet}, and {@linkcode localFleet} is the fleet of a node on its own.
 *
 * @module
 */
import type { VisorApi } from "./api.ts";

/** One visor the UI can show. */
export interface FleetVisor {
  /** Its public key (hex). */
  readonly pk: string;
  /** `true` for the node that serves the UI. */
  readonly local: boolean;
  /** When it connected (for the local node: when it started). */
  readonly connectedAt: Date;
  /** What it runs, from its build info: ours, Go Skywire, or not known yet. */
  readonly implementation: "skywire-deno" | "go" | "unknown";
  /**
   * The visor through the same API the UI uses for this node. Members a remote visor cannot
   * offer are `undefined` (or say why they are unavailable), never sample data. `info()` and
   * `dmsg()` answer from the state fetched by the last {@linkcode refresh}.
   */
  readonly api: VisorApi;
  /** Fetch its state now so `api.info()`/`api.dmsg()` are current; throws when it is gone. */
  refresh(): Promise<void>;
  /**
   * Parts of `api` a remote visor cannot offer, each with the reason to show (its `stores()`
   * rejects with it, its updater says it in `checkUnavailable`). Absent for the local node.
   */
  readonly unavailable?: { readonly stores?: string; readonly updates?: string };
}

/** The visors this node's UI shows, this node first. */
export interface Fleet {
  /** All connected visors, this node first. */
  list(): FleetVisor[];
  /** One visor by key (lower-case hex); `undefined` when it is not connected. */
  get(pk: string): FleetVisor | undefined;
  /** Call `listener` when a visor joins or leaves; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

/** The node that serves the UI, as a fleet member: nothing to refresh, it answers directly. */
export function localVisor(api: VisorApi, startedAt: Date): FleetVisor {
  return {
    pk: api.info().pk,
    local: true,
    connectedAt: startedAt,
    implementation: "skywire-deno",
    api,
    refresh: () => Promise.resolve(),
  };
}

/** The fleet of a node that no other visor is connected to. */
export function localFleet(api: VisorApi, startedAt: Date = new Date()): Fleet {
  const self = localVisor(api, startedAt);
  return {
    list: () => [self],
    get: (pk) => (pk.toLowerCase() === self.pk ? self : undefined),
    subscribe: () => () => {},
  };
}
