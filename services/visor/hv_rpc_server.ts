/**
 * The visor RPC a hypervisor calls (Go's `app-visor` net/rpc service, gob codec), answered from
 * the visor's control API. Methods Go has and this build does not answer with net/rpc's own
 * "can't find method" error, as a Go server does for a method it lacks.
 *
 * @module
 */
import { PubKey } from "../../mod/cipher/mod.ts";
import type { SkywireConfig } from "../../mod/config/mod.ts";
import type { DmsgClient } from "../../mod/dmsg/mod.ts";
import { type AnyRpcMethod, go, rpcMethod, RpcServer } from "../../mod/gob/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";
import { routingGob, Rule, ruleSummary } from "../../mod/routing/mod.ts";
import { VERSION } from "../../mod/version/mod.ts";
import { appToGob, ruleSummaryToGob, transportToGob } from "./_hv_convert.ts";
import type { VisorControlApi } from "./api_types.ts";
import * as hv from "./hv_rpc_types.ts";

/** What the methods read: the visor's control API and a few of its parts. */
export interface HvRpcSource {
  /** The control API (transports, routes, apps). */
  api: VisorControlApi;
  /** The visor's key. */
  pk: PubKey;
  /** When it started. */
  startedAt: Date;
  /** Its config (hypervisors, min hops, persistent transports). */
  config: SkywireConfig;
  /** Its dmsg client (sessions, for health and dmsg stats). */
  dmsg: Pick<DmsgClient, "sessions">;
  /** Its routing table (rules as bytes). */
  router: { rules(): Rule[]; rule(id: number): Rule | undefined };
  /** Hypervisors whose link is up now. */
  connectedHypervisors(): PubKey[];
}

/** What our visor puts in `Summary.BuildTag`, so a hypervisor can tell it from a Go visor. */
export const DENO_BUILD_TAG = "skywire-deno";

/** Largest request a hypervisor may send (arguments are small: keys, ids, a rule). */
const MAX_REQUEST_BYTES = 64 * 1024;
/** Most log lines one `LogsSince` answers with. */
const MAX_LOG_LINES = 5_000;

const ISO_TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/;

function overview(source: HvRpcSource): Promise<hv.Overview> {
  return Promise.all([source.api.apps.list(), source.api.transports.list()]).then((
    [apps, transports],
  ) => ({
    PubKey: source.pk,
    BuildInfo: { Version: VERSION, Commit: "", Date: "" },
    AppProtoVersion: "0.1.0",
    Apps: apps.map(appToGob),
    Transports: transports.map(transportToGob),
    RoutesCount: BigInt(source.router.rules().length),
    LocalIP: "",
    PublicIP: "",
    IsSymmetricNAT: false,
    Hypervisors: (source.config.hypervisors ?? []).map((pk) => pkOf(pk)),
    ConnectedHypervisor: source.connectedHypervisors(),
  }));
}

// Config keys were checked when the config loaded.
function pkOf(hex: string): PubKey {
  return PubKey.fromHex(hex);
}

function health(source: HvRpcSource): hv.HealthInfo {
  return { ServicesHealth: source.dmsg.sessions().length > 0 ? "healthy" : "connecting" };
}

function uptime(source: HvRpcSource): number {
  return (Date.now() - source.startedAt.getTime()) / 1000;
}

function routeResp(rule: Rule): hv.RoutingRuleResp {
  return {
    Key: rule.keyRouteId,
    Rule: Array.from(rule.bytes, (b) => b.toString(16).padStart(2, "0")).join(""),
    Summary: ruleSummaryToGob(ruleSummary(rule)),
  };
}

async function summary(source: HvRpcSource): Promise<hv.Summary> {
  const session = source.dmsg.sessions()[0];
  return {
    Overview: await overview(source),
    Health: health(source),
    Uptime: uptime(source),
    Routes: source.router.rules().sort((a, b) => a.keyRouteId - b.keyRouteId).map(routeResp),
    IsHypervisor: false,
    DmsgStats: {
      PK: source.pk,
      ServerPK: session?.serverPk ?? PubKey.NULL,
      RoundTrip: BigInt(Math.round((session?.latencyMs ?? 0) * 1e6)),
    },
    Online: false,
    MinHops: source.config.routing.min_hops,
    PersistentTransports: (source.config.persistent_transports ?? []).map((p) => ({
      PK: pkOf(p.pk),
      NetType: p.type,
    })),
    SkybianBuildVersion: "",
    RewardAddress: "",
    BuildTag: DENO_BUILD_TAG,
    PublicAutoconnect: source.config.transport.public_autoconnect,
  };
}

async function logsSince(source: HvRpcSource, request: hv.AppLogsRequest): Promise<string[]> {
  const lines = await source.api.apps.log(request.AppName, MAX_LOG_LINES);
  const sinceMs = Number(request.TimeStamp / 1_000_000n);
  return lines.map((l) => l.line).filter((line) => {
    const at = line.match(ISO_TIME);
    return !at || Date.parse(at[0]) >= sinceMs;
  });
}

/** The `app-visor` methods over `source`. */
export function hvRpcMethods(source: HvRpcSource): Record<string, AnyRpcMethod> {
  const { api } = source;
  const routeGroups = async (): Promise<hv.RouteGroupInfo[]> => {
    const groups = await api.routes.groups();
    const out: hv.RouteGroupInfo[] = [];
    for (const g of groups) {
      const consume = source.router.rule(g.consume_route_id);
      const forward = source.router.rule(g.forward_route_id);
      if (consume && forward) out.push({ ConsumeRule: consume.bytes, FwdRule: forward.bytes });
    }
    return out;
  };
  return {
    Summary: rpcMethod(hv.Empty, hv.Summary, () => summary(source)),
    Overview: rpcMethod(hv.Empty, hv.Overview, () => overview(source)),
    Health: rpcMethod(hv.Empty, hv.HealthInfo, () => health(source)),
    Uptime: rpcMethod(hv.Empty, go.float64, () => uptime(source)),
    IsDMSGClientReady: rpcMethod(hv.Empty, go.bool, () => source.dmsg.sessions().length > 0),
    TransportTypes: rpcMethod(hv.Empty, hv.Strings, () => api.transports.types()),
    Transports: rpcMethod(hv.TransportsIn, hv.TransportSummaries, async (args) => {
      const list = await api.transports.list({
        types: args.FilterTypes,
        pks: args.FilterPubKeys.map((pk) => pk.hex()),
      });
      return list.map((t) => {
        const summary = transportToGob(t);
        return args.ShowLogs ? summary : { ...summary, Log: null };
      });
    }),
    Transport: rpcMethod(
      routingGob.UUID,
      hv.TransportSummary,
      async (id) => transportToGob(await api.transports.get(id)),
    ),
    AddTransport: rpcMethod(hv.AddTransportIn, hv.TransportSummary, async (args) => {
      const ms = Number(args.Timeout / 1_000_000n);
      return transportToGob(
        await api.transports.add({
          remote_pk: args.RemotePK.hex(),
          type: args.TpType,
          timeout_ms: ms > 0 ? ms : undefined,
        }),
      );
    }),
    RemoveTransport: rpcMethod(routingGob.UUID, hv.Empty, async (id) => {
      await api.transports.remove(id);
      return {};
    }),
    RemoveAllTransports: rpcMethod(hv.Empty, hv.Empty, async () => {
      await api.transports.removeAll();
      return {};
    }),
    GetPersistentTransports: rpcMethod(
      hv.Empty,
      go.slice(hv.PersistentTransport),
      () =>
        (source.config.persistent_transports ?? []).map((p) => ({
          PK: pkOf(p.pk),
          NetType: p.type,
        })),
    ),
    RoutingRules: rpcMethod(
      hv.Empty,
      hv.Rules,
      () => source.router.rules().sort((a, b) => a.keyRouteId - b.keyRouteId).map((r) => r.bytes),
    ),
    RoutingRule: rpcMethod(routingGob.RouteID, routingGob.Rule, async (id) => {
      await api.routes.rule(id); // 404 text when there is none
      const rule = source.router.rule(id);
      if (!rule) throw new Error(`no rule with route id ${id}`);
      return rule.bytes;
    }),
    SaveRoutingRule: rpcMethod(routingGob.Rule, hv.Empty, async (bytes) => {
      await api.routes.addRule(ruleSummary(Rule.fromBytes(bytes.slice())));
      return {};
    }),
    RemoveRoutingRule: rpcMethod(routingGob.RouteID, hv.Empty, async (id) => {
      await api.routes.removeRule(id);
      return {};
    }),
    RouteGroups: rpcMethod(hv.Empty, hv.RouteGroupInfos, routeGroups),
    Apps: rpcMethod(hv.Empty, hv.AppStates, async () => (await api.apps.list()).map(appToGob)),
    App: rpcMethod(go.string, hv.AppState, async (name) => appToGob(await api.apps.get(name))),
    StartApp: rpcMethod(go.string, hv.Empty, async (name) => {
      await api.apps.start(name);
      return {};
    }),
    StopApp: rpcMethod(go.string, hv.Empty, async (name) => {
      await api.apps.stop(name);
      return {};
    }),
    RestartApp: rpcMethod(go.string, hv.Empty, async (name) => {
      await api.apps.stop(name).catch(() => {});
      await api.apps.start(name);
      return {};
    }),
    LogsSince: rpcMethod(hv.AppLogsRequest, hv.Strings, (args) => logsSince(source, args)),
  };
}

/**
 * An RPC server with the `app-visor` service over `source`: serve each hypervisor link's
 * stream with {@linkcode RpcServer.serve}. Requests are capped at 64 KiB and 16 calls run at
 * once per link.
 */
export function createHvRpcServer(source: HvRpcSource, logger: Logger): RpcServer {
  const server = new RpcServer({
    maxMessageSize: MAX_REQUEST_BYTES,
    maxConcurrentCalls: 16,
    logger,
  });
  server.register(hv.HV_RPC_SERVICE, hvRpcMethods(source));
  return server;
}
