import { PubKey } from "../../mod/cipher/mod.ts";
import type { SkywireConfig } from "../../mod/config/mod.ts";
import type { DmsgClient } from "../../mod/dmsg/mod.ts";
import {
  type ManagedTransport,
  parseTransportId,
  PingTimeoutError,
  type TransportEntry,
  TransportError,
  TransportType,
  UnknownNetworkError,
} from "../../mod/transport/mod.ts";
import { VERSION } from "../../mod/version/mod.ts";
import {
  type AddTransportRequest,
  type DiscoveredTransport,
  type DiscoverQuery,
  type TransportFilter,
  type TransportsApi,
  type TransportSummary,
  VisorApiError,
  type VisorControlApi,
  type VisorSummary,
} from "./api_types.ts";
import { routesApi } from "./routes_api.ts";
import { appsApi } from "./apps_api.ts";
import type { AppManager } from "../apps/mod.ts";
import type { VisorRouting } from "./routing.ts";
import type { VisorTransports } from "./transports.ts";

/** What {@linkcode createVisorControlApi} works on: the parts of a running visor. */
export interface VisorControlParts {
  /** The config the visor runs with. */
  config: SkywireConfig;
  /** Its key. */
  pk: PubKey;
  /** When it started. */
  startedAt: Date;
  /** Its dmsg client. */
  dmsg: Pick<DmsgClient, "sessions">;
  /** Its transports. */
  transports: VisorTransports;
  /** Its apps. */
  apps: AppManager;
  /** Its routing. */
  routing: VisorRouting;
}

/** The summary of one transport, in Go's field names. */
export function transportSummary(tp: ManagedTransport): TransportSummary {
  const info = tp.info();
  return {
    id: info.id,
    local_pk: info.localPk,
    remote_pk: info.remotePk,
    type: info.type,
    label: info.label,
    is_up: info.isUp,
    is_setup: false,
    persistent: info.persistent,
    log: { recv: info.recvBytes, sent: info.sentBytes },
    remote_addr: info.remoteRawAddr,
    latency_ms: info.latency?.lastMs ?? null,
  };
}

function discovered(entry: TransportEntry): DiscoveredTransport {
  return {
    id: entry.id,
    type: entry.type,
    edge1: entry.edges[0].hex(),
    edge2: entry.edges[1].hex(),
    label: entry.label,
  };
}

function pkOf(text: string, what: string): PubKey {
  try {
    return PubKey.fromHex(text);
  } catch (error) {
    throw new VisorApiError(400, `${what}: ${(error as Error).message}`);
  }
}

function idOf(text: string): string {
  try {
    return parseTransportId(text);
  } catch {
    throw new VisorApiError(400, `invalid transport id "${text}"`);
  }
}

/** The message of an error and its causes, deduplicated ("a: b: c"). */
function causeChain(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 5; depth++) {
    const message = e instanceof Error ? e.message : String(e);
    if (!parts.some((part) => part.includes(message))) parts.push(message);
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(": ");
}

function byId(a: TransportSummary, b: TransportSummary): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function transportsApi(parts: VisorControlParts): TransportsApi {
  const { manager } = parts.transports;
  const find = (id: string): ManagedTransport => {
    const tp = manager.transport(idOf(id));
    if (!tp || tp.isClosed) throw new VisorApiError(404, `transport ${id} not found`);
    return tp;
  };
  const discovery = () => {
    const client = parts.transports.discovery;
    if (!client) {
      throw new VisorApiError(
        503,
        "this visor has no transport discovery (transport.discovery is empty)",
      );
    }
    return client;
  };
  return {
    types: () => Promise.resolve(manager.networkTypes),
    list(filter: TransportFilter = {}) {
      const types = filter.types?.length ? new Set(filter.types) : undefined;
      const pks = filter.pks?.length
        ? new Set(filter.pks.map((pk) => pkOf(pk, "pks").hex()))
        : undefined;
      const local = manager.localPk.hex();
      const list = manager.transports()
        .filter((tp) => !tp.isClosed)
        .filter((tp) => !types || types.has(tp.type))
        .filter((tp) => !pks || pks.has(local) || pks.has(tp.remotePk.hex()))
        .map(transportSummary)
        .sort(byId);
      return Promise.resolve(list);
    },
    get: (id) => Promise.resolve().then(() => transportSummary(find(id))),
    async add(request: AddTransportRequest) {
      const remote = pkOf(request.remote_pk, "remote_pk");
      if (!manager.networkTypes.includes(request.type)) {
        throw new VisorApiError(
          400,
          `this visor does not make ${request.type || "(no type)"} transports` +
            ` (it makes ${manager.networkTypes.join(", ")})`,
        );
      }
      if (remote.equals(manager.localPk)) {
        throw new VisorApiError(400, "cannot make a transport to this visor itself");
      }
      const timeout = request.timeout_ms && request.timeout_ms > 0
        ? AbortSignal.timeout(request.timeout_ms)
        : undefined;
      try {
        const tp = await manager.saveTransport(remote, request.type, {
          label: request.label,
          signal: timeout,
        });
        return transportSummary(tp);
      } catch (error) {
        if (timeout?.aborted) {
          throw new VisorApiError(
            504,
            `no ${request.type} transport within ${request.timeout_ms} ms`,
          );
        }
        if (error instanceof UnknownNetworkError) throw new VisorApiError(400, error.message);
        throw new VisorApiError(502, causeChain(error), { cause: error });
      }
    },
    async remove(id) {
      await find(id).close();
    },
    async removeAll() {
      const all = manager.transports().filter((tp) => !tp.isClosed);
      await Promise.allSettled(all.map((tp) => tp.close()));
      return all.length;
    },
    async discover(query: DiscoverQuery) {
      const client = discovery();
      try {
        if (query.id !== undefined) {
          const entry = await client.getById(idOf(query.id));
          return entry ? [discovered(entry)] : [];
        }
        return (await client.getByEdge(pkOf(query.pk, "pk"))).map(discovered);
      } catch (error) {
        if (error instanceof VisorApiError) throw error;
        throw new VisorApiError(502, `transport discovery: ${causeChain(error)}`, { cause: error });
      }
    },
    async ping(id, timeoutMs = 10_000) {
      const tp = find(id);
      try {
        return await tp.ping(timeoutMs);
      } catch (error) {
        if (error instanceof PingTimeoutError) {
          throw new VisorApiError(
            504,
            `no pong within ${timeoutMs} ms (Go visors before 2026 do not answer transport pings)`,
          );
        }
        if (error instanceof TransportError) throw new VisorApiError(502, error.message);
        throw error;
      }
    },
  };
}

/**
 * The {@linkcode VisorControlApi} of a running visor: what the control endpoint on `cli_addr`
 * serves and the web UI can use in-process.
 */
export function createVisorControlApi(parts: VisorControlParts): VisorControlApi {
  const { config, transports } = parts;
  return {
    summary(): Promise<VisorSummary> {
      const now = Date.now();
      return Promise.resolve({
        public_key: parts.pk.hex(),
        visor_version: VERSION,
        started_at: parts.startedAt.toISOString(),
        time_online: (now - parts.startedAt.getTime()) / 1000,
        dmsg_discovery: config.dmsg.discovery,
        dmsg_sessions: parts.dmsg.sessions().map((session) => ({
          server_pk: session.serverPk.hex(),
          address: session.address,
          latency_ms: session.latencyMs ?? null,
        })),
        transport_discovery: transports.discovery?.url ?? "",
        address_resolver: transports.resolver?.url ?? "",
        stcpr_address: transports.manager.network(TransportType.stcpr)
          ? transports.stcprAddress ?? ""
          : "",
        stcpr_bound: transports.binding?.bound ?? false,
        transport_types: transports.manager.networkTypes,
        transports: transports.manager.transports().filter((tp) => !tp.isClosed).length,
        persistent_transports: transports.manager.persistent.map((p) => ({
          pk: p.pk.hex(),
          type: p.type,
        })),
        public_autoconnect: config.transport.public_autoconnect,
      });
    },
    transports: transportsApi(parts),
    routes: routesApi(parts.routing),
    apps: appsApi(parts.apps),
  };
}
