// One remote visor of the fleet: an RPC client on the stream it dialed to our hypervisor port,
// and the VisorApi the UI reads it through.
import { PubKey } from "../../mod/cipher/mod.ts";
import { go, type GobType, type RpcClient } from "../../mod/gob/mod.ts";
import { RpcError } from "../../mod/gob/mod.ts";
import { routingGob, Rule, ruleFromSummary, ruleSummary } from "../../mod/routing/mod.ts";
import { appFromGob, transportFromGob } from "./_hv_convert.ts";
import type { DmsgStatus, NodeInfo, UpdatesApi, VisorApi } from "./api.ts";
import {
  type AddTransportRequest,
  type RouteGroupSummary,
  type TransportFilter,
  type TransportsApi,
  VisorApiError,
} from "./api_types.ts";
import type { FleetVisor } from "./fleet_types.ts";
import { DENO_BUILD_TAG } from "./hv_rpc_server.ts";
import * as hv from "./hv_rpc_types.ts";

/** Why a remote visor's stores, updates and logs are not shown. */
export const REMOTE_UNAVAILABLE =
  "not reachable over the hypervisor link (the visor's RPC does not carry it)";

/** Call limits of a member. */
export interface MemberLimits {
  /** Every call gives up after this long, ms. */
  callTimeoutMs: number;
  /** `AddTransport` gives up after this long, ms (a dial may take a while). */
  addTransportTimeoutMs: number;
}

function mapError(error: unknown, method: string): VisorApiError {
  if (error instanceof VisorApiError) return error;
  if (error instanceof RpcError) {
    if (error.code === "aborted") return new VisorApiError(504, `${method}: no answer in time`);
    if (error.code === "server") {
      const status = /not found|no rule|unknown|can't find/i.test(error.message) ? 404 : 502;
      return new VisorApiError(status, error.message);
    }
    return new VisorApiError(502, `${method}: the visor's link failed: ${error.message}`);
  }
  return new VisorApiError(502, `${method}: ${(error as Error).message ?? String(error)}`);
}

/** A visor connected to our hypervisor port. */
export class FleetMember implements FleetVisor {
  /** Its key (hex), authenticated by the dmsg stream's Noise handshake. */
  readonly pk: string;
  /** Never the local node. */
  readonly local = false;
  /** When its link was accepted. */
  readonly connectedAt: Date;
  /** Its VisorApi over RPC. */
  readonly api: VisorApi;
  /** Why stores, updates and logs are not shown. */
  readonly unavailable = { stores: REMOTE_UNAVAILABLE, updates: REMOTE_UNAVAILABLE };
  /** Its RPC client; owns the stream. */
  readonly client: RpcClient;
  readonly #limits: MemberLimits;
  #summary: hv.Summary | undefined;
  // The dmsg server relaying the link: a session the visor has even when its summary names none.
  readonly #linkServer: PubKey | undefined;
  #refreshedAt = 0;

  /** A member over `client` (which owns the link's stream). */
  constructor(pk: string, client: RpcClient, limits: MemberLimits, linkServer?: PubKey) {
    this.pk = pk;
    this.client = client;
    this.#linkServer = linkServer;
    this.connectedAt = new Date();
    this.#limits = limits;
    this.api = this.#buildApi();
  }

  /** What it runs: from its summary's build tag once a summary came in. */
  get implementation(): FleetVisor["implementation"] {
    if (!this.#summary) return "unknown";
    return this.#summary.BuildTag === DENO_BUILD_TAG ? "skywire-deno" : "go";
  }

  /** The last summary fetched, if any. */
  get summary(): hv.Summary | undefined {
    return this.#summary;
  }

  /** Call `method` of its `app-visor` service, bounded by the call timeout. */
  async call<A, R>(
    method: string,
    argsType: GobType<A>,
    args: A,
    replyType: GobType<R>,
    timeoutMs = this.#limits.callTimeoutMs,
  ): Promise<R> {
    try {
      return await this.client.call(`${hv.HV_RPC_SERVICE}.${method}`, {
        args,
        argsType,
        replyType,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw mapError(error, method);
    }
  }

  /** Fetch its summary now; throws when the link is gone or the call fails. */
  async refresh(): Promise<void> {
    this.#summary = await this.call("Summary", hv.Empty, {}, hv.Summary);
    this.#refreshedAt = Date.now();
  }

  /** When the summary was last fetched (ms since epoch, 0 before). */
  get refreshedAt(): number {
    return this.#refreshedAt;
  }

  #persistent(remote: string, type: string): boolean {
    return (this.#summary?.PersistentTransports ?? []).some((p) =>
      p.PK.hex() === remote && p.NetType === type
    );
  }

  #info(): NodeInfo {
    const s = this.#summary;
    const uptimeMs = (s?.Uptime ?? 0) * 1000;
    return {
      pk: this.pk,
      version: s?.Overview?.BuildInfo?.Version ?? "",
      deno: "",
      target: "",
      started_at: new Date((this.#refreshedAt || Date.now()) - uptimeMs).toISOString(),
      starts: 0,
      local_path: "",
      min_hops: s?.MinHops ?? 0,
      is_public: false,
      hypervisors: (s?.Overview?.Hypervisors ?? []).map((pk) => pk.hex()),
    };
  }

  #dmsg(): DmsgStatus {
    const stats = this.#summary?.DmsgStats;
    // A Go visor's summary names its dmsg server only when a dmsg tracker runs there (rarely).
    const sessions = stats && !stats.ServerPK.isNull()
      ? [{
        server_pk: stats.ServerPK.hex(),
        address: "",
        latency_ms: stats.RoundTrip > 0n ? Number(stats.RoundTrip) / 1e6 : null,
      }]
      : this.#linkServer
      ? [{ server_pk: this.#linkServer.hex(), address: "", latency_ms: null }]
      : [];
    return {
      discovery: "",
      sessions_wanted: 0,
      configured_servers: [],
      sessions,
    };
  }

  #transports(): TransportsApi {
    const call = this.call.bind(this);
    const unavailable = (what: string) =>
      Promise.reject(new VisorApiError(501, `${what} of a remote visor: ${REMOTE_UNAVAILABLE}`));
    const fromGob = (t: hv.TransportSummary) =>
      transportFromGob(t, this.#persistent(t.Remote.hex(), t.Type));
    return {
      types: () => call("TransportTypes", hv.Empty, {}, hv.Strings),
      list: async (filter: TransportFilter = {}) => {
        const list = await call("Transports", hv.TransportsIn, {
          FilterTypes: filter.types ?? [],
          FilterPubKeys: (filter.pks ?? []).map((pk) => PubKey.fromHex(pk)),
          ShowLogs: true,
        }, hv.TransportSummaries);
        return list.map(fromGob).sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      },
      get: async (id) => fromGob(await call("Transport", routingGob.UUID, id, hv.TransportSummary)),
      add: async (request: AddTransportRequest) => {
        let remote: PubKey;
        try {
          remote = PubKey.fromHex(request.remote_pk);
        } catch (error) {
          throw new VisorApiError(400, `remote_pk: ${(error as Error).message}`);
        }
        const timeoutMs = request.timeout_ms && request.timeout_ms > 0
          ? Math.min(request.timeout_ms, this.#limits.addTransportTimeoutMs)
          : this.#limits.addTransportTimeoutMs;
        const tp = await call(
          "AddTransport",
          hv.AddTransportIn,
          {
            RemotePK: remote,
            TpType: request.type,
            Timeout: BigInt(timeoutMs) * 1_000_000n,
          },
          hv.TransportSummary,
          timeoutMs + 5_000,
        );
        return fromGob(tp);
      },
      remove: async (id) => {
        await call("RemoveTransport", routingGob.UUID, id, hv.Empty);
      },
      removeAll: async () => {
        const count = (await call("Transports", hv.TransportsIn, {
          FilterTypes: [],
          FilterPubKeys: [],
          ShowLogs: false,
        }, hv.TransportSummaries)).length;
        await call("RemoveAllTransports", hv.Empty, {}, hv.Empty);
        return count;
      },
      discover: () => unavailable("transport discovery lookups"),
      ping: () => unavailable("transport pings"),
    };
  }

  #buildApi(): VisorApi {
    const call = this.call.bind(this);
    const updates: UpdatesApi = {
      settings: { enabled: false, channel: "", url: "", interval: "", auto_install: false },
      checkUnavailable: `updates ${REMOTE_UNAVAILABLE}`,
      installUnavailable: `updates ${REMOTE_UNAVAILABLE}`,
      status: () => Promise.resolve(undefined),
      check: () => Promise.resolve({ status: "failed", message: `updates ${REMOTE_UNAVAILABLE}` }),
      install: () =>
        Promise.resolve({ status: "failed", message: `updates ${REMOTE_UNAVAILABLE}` }),
    };
    const storesGone = () => Promise.reject(new Error(`stores ${REMOTE_UNAVAILABLE}`));
    const rules = async () =>
      (await call("RoutingRules", hv.Empty, {}, hv.Rules)).map((b) => Rule.fromBytes(b));
    return {
      info: () => this.#info(),
      dmsg: () => this.#dmsg(),
      stores: storesGone,
      checkStores: storesGone,
      updates,
      transports: this.#transports(),
      routes: {
        rules: async () => (await rules()).map((r) => ruleSummary(r)),
        rule: async (id) =>
          ruleSummary(
            Rule.fromBytes(await call("RoutingRule", routingGob.RouteID, id, routingGob.Rule)),
          ),
        addRule: async (summary) => {
          let rule: Rule;
          try {
            rule = ruleFromSummary(summary);
          } catch (error) {
            throw new VisorApiError(400, (error as Error).message);
          }
          await call("SaveRoutingRule", routingGob.Rule, rule.bytes, hv.Empty);
          return rule.keyRouteId;
        },
        removeRule: async (id) => {
          await call("RemoveRoutingRule", routingGob.RouteID, id, hv.Empty);
        },
        groups: async () =>
          (await call("RouteGroups", hv.Empty, {}, hv.RouteGroupInfos)).map(groupFromGob),
        ping: () =>
          Promise.reject(
            new VisorApiError(501, `route pings of a remote visor: ${REMOTE_UNAVAILABLE}`),
          ),
      },
      apps: {
        list: async () => (await call("Apps", hv.Empty, {}, hv.AppStates)).map(appFromGob),
        start: async (name) => {
          await call("StartApp", go.string, name, hv.Empty);
        },
        stop: async (name) => {
          await call("StopApp", go.string, name, hv.Empty);
        },
      },
    };
  }
}

// A route group from its two rules (what Go's RPC gives); what the rules do not say is unknown.
function groupFromGob(g: hv.RouteGroupInfo): RouteGroupSummary {
  const consume = Rule.fromBytes(g.ConsumeRule);
  const forward = Rule.fromBytes(g.FwdRule);
  const desc = consume.routeDescriptor.fields();
  return {
    local_pk: desc.dst_pk,
    local_port: desc.dst_port,
    remote_pk: desc.src_pk,
    remote_port: desc.src_port,
    forward_route_id: forward.keyRouteId,
    consume_route_id: consume.keyRouteId,
    transport_id: forward.nextTransportId,
    initiator: false,
    state: "open",
    latency_ms: null,
    log: { sent: 0, recv: 0 },
  };
}
