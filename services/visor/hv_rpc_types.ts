/**
 * Go's gob types of the visor RPC that a hypervisor calls over dmsg port 46 (service
 * `app-visor`): field names, field order and Go types as Go Skywire 2024 declares them, so a Go
 * hypervisor can call our visor and ours can call a Go visor. Pointer fields (`*Overview`,
 * `*RuleSummary`, ...) are optional members: `undefined` is Go's nil (left out of the struct);
 * decoding gives the zero value for a nil one, as gob has no nil on the wire.
 *
 * @module
 */
import { cipherGob, type PubKey } from "../../mod/cipher/mod.ts";
import {
  type ExternalType,
  go,
  GobDecoder,
  GobEncoder,
  GobError,
  RpcInvalidRequest,
  type SliceType,
  type StructType,
  type UintType,
} from "../../mod/gob/mod.ts";
import { routingGob } from "../../mod/routing/mod.ts";

/** The net/rpc service name a Go visor registers its RPC under (`visor.RPCPrefix`). */
export const HV_RPC_SERVICE = "app-visor";

/** `struct{}`: the argument of the methods that take none and the reply of those that give none. */
export const Empty: StructType<Record<string, never>> = RpcInvalidRequest;

const PK = cipherGob.PubKey;
const UUID = routingGob.UUID;

/** `routing.Port` (uint16). */
export const Port: UintType<number> = go.named("routing.Port", go.uint16);

/** Payload bytes of a transport (Go `transport.LogEntry`). */
export interface TransportLog {
  /** Received. */
  RecvBytes: bigint;
  /** Sent. */
  SentBytes: bigint;
}

/**
 * `*transport.LogEntry`: a `GobEncoder` whose bytes are two gob messages, received then sent
 * (uint64 each). `null` is Go's nil pointer (left out of the struct).
 */
export const LogEntry: ExternalType<TransportLog | null> = go.external<TransportLog | null>(
  "transport.LogEntry",
  {
    marshaler: "gob",
    encode(log) {
      const encoder = new GobEncoder();
      const recv = encoder.encode(go.uint64, log?.RecvBytes ?? 0n);
      const sent = encoder.encode(go.uint64, log?.SentBytes ?? 0n);
      const out = new Uint8Array(recv.length + sent.length);
      out.set(recv);
      out.set(sent, recv.length);
      return out;
    },
    decode(bytes) {
      const decoder = new GobDecoder({ maxMessageSize: 64 });
      const recv = decoder.decodeFrom(go.uint64, bytes);
      const sent = decoder.decodeFrom(go.uint64, bytes.subarray(recv.bytesRead));
      return { RecvBytes: recv.value, SentBytes: sent.value };
    },
    isZero: (log) => log === null,
    zero: () => null,
  },
);

// Seconds from year 1 to the Unix epoch: Go's time.Time counts from year 1.
const UNIX_TO_INTERNAL = 62_135_596_800n;
/** Go's zero `time.Time` (year 1, UTC) in Unix nanoseconds. */
export const GO_ZERO_TIME_NS: bigint = -UNIX_TO_INTERNAL * 1_000_000_000n;

/**
 * `time.Time` (its `GobEncode`: version 1, seconds since year 1, nanoseconds, zone offset in
 * minutes, -1 for UTC; version 2 adds offset seconds). Values are Unix nanoseconds; the zone is
 * not kept (we send UTC).
 */
export const Time: ExternalType<bigint> = go.external<bigint>("time.Time", {
  marshaler: "gob",
  encode(ns) {
    const out = new Uint8Array(15);
    const view = new DataView(out.buffer);
    const sec = ns / 1_000_000_000n - (ns % 1_000_000_000n < 0n ? 1n : 0n);
    const nsec = ns - sec * 1_000_000_000n;
    out[0] = 1;
    view.setBigInt64(1, sec + UNIX_TO_INTERNAL);
    view.setInt32(9, Number(nsec));
    view.setInt16(13, -1);
    return out;
  },
  decode(bytes) {
    const version = bytes[0];
    if (!((version === 1 && bytes.length === 15) || (version === 2 && bytes.length === 16))) {
      throw new GobError(`time.Time: unsupported encoding (version ${version}, ${bytes.length} B)`);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const nsec = view.getInt32(9);
    if (nsec < 0 || nsec >= 1e9) throw new GobError("time.Time: nanoseconds out of range");
    return (view.getBigInt64(1) - UNIX_TO_INTERNAL) * 1_000_000_000n + BigInt(nsec);
  },
  isZero: (ns) => ns === GO_ZERO_TIME_NS,
  zero: () => GO_ZERO_TIME_NS,
});

/** `buildinfo.Info`. */
export interface BuildInfo {
  /** Version. */
  Version: string;
  /** Commit. */
  Commit: string;
  /** Build date. */
  Date: string;
}
/** `buildinfo.Info`. */
export const BuildInfo: StructType<BuildInfo> = go.struct("buildinfo.Info", {
  Version: go.string,
  Commit: go.string,
  Date: go.string,
});

/** `visor.TransportSummary`. */
export interface TransportSummary {
  /** Transport id (UUID text). */
  ID: string;
  /** This visor. */
  Local: PubKey;
  /** The other edge. */
  Remote: PubKey;
  /** `dmsg`, `stcp`, `stcpr`, `sudph`. */
  Type: string;
  /** Payload bytes (`nil` unless asked for). */
  Log: TransportLog | null;
  /** Whether the peer is a trusted setup node. */
  IsSetup: boolean;
  /** `user`, `automatic`, `skycoin`. */
  Label: string;
}
/** `visor.TransportSummary`. */
export const TransportSummary: StructType<TransportSummary> = go.struct("visor.TransportSummary", {
  ID: UUID,
  Local: PK,
  Remote: PK,
  Type: go.named("network.Type", go.string),
  Log: LogEntry,
  IsSetup: go.bool,
  Label: go.named("transport.Label", go.string),
});

/** `[]*visor.TransportSummary`. */
export const TransportSummaries: SliceType<TransportSummary> = go.slice(TransportSummary);

/** `appserver.AppConfig` (embedded in `AppState`; gob keeps it as a field). */
export interface AppConfig {
  /** Name. */
  Name: string;
  /** Binary. */
  Binary: string;
  /** Arguments. */
  Args: string[];
  /** Starts with the visor. */
  AutoStart: boolean;
  /** Its port. */
  Port: number;
}
/** `appserver.AppConfig`. */
export const AppConfig: StructType<AppConfig> = go.struct("appserver.AppConfig", {
  Name: go.string,
  Binary: go.string,
  Args: go.slice(go.string),
  AutoStart: go.bool,
  Port,
});

/** Go's `appserver.AppStatus` values. */
export const AppStatus = { stopped: 0n, running: 1n, errored: 2n, starting: 3n } as const;

/** `appserver.AppState`. */
export interface AppState {
  /** The embedded config. */
  AppConfig: AppConfig;
  /** {@linkcode AppStatus}. */
  Status: bigint;
  /** Detail line. */
  DetailedStatus: string;
}
/** `appserver.AppState`. */
export const AppState: StructType<AppState> = go.struct("appserver.AppState", {
  AppConfig,
  Status: go.named("appserver.AppStatus", go.int),
  DetailedStatus: go.string,
});

/** `[]*appserver.AppState`. */
export const AppStates: SliceType<AppState> = go.slice(AppState);

/** `visor.Overview`. */
export interface Overview {
  /** The visor's key. */
  PubKey: PubKey;
  /** Its build (`*buildinfo.Info`). */
  BuildInfo?: BuildInfo;
  /** App protocol version (`0.1.0`). */
  AppProtoVersion: string;
  /** Its apps. */
  Apps: AppState[];
  /** Its transports, with logs. */
  Transports: TransportSummary[];
  /** Routing rules. */
  RoutesCount: bigint;
  /** Local IP. */
  LocalIP: string;
  /** Public IP (from STUN). */
  PublicIP: string;
  /** Behind a symmetric NAT (Go's field name). */
  IsSymmetricNAT: boolean;
  /** Hypervisors from its config. */
  Hypervisors: PubKey[];
  /** Hypervisors connected now. */
  ConnectedHypervisor: PubKey[];
}
const PubKeys = go.slice(PK);
/** `visor.Overview`. */
export const Overview: StructType<Overview> = go.struct("visor.Overview", {
  PubKey: PK,
  BuildInfo,
  AppProtoVersion: go.string,
  Apps: AppStates,
  Transports: TransportSummaries,
  RoutesCount: go.int,
  LocalIP: go.string,
  PublicIP: go.string,
  IsSymmetricNAT: go.bool,
  Hypervisors: PubKeys,
  ConnectedHypervisor: PubKeys,
}) as StructType<Overview>;

/** `visor.HealthInfo`. */
export interface HealthInfo {
  /** `healthy` or `connecting`. */
  ServicesHealth: string;
}
/** `visor.HealthInfo`. */
export const HealthInfo: StructType<HealthInfo> = go.struct("visor.HealthInfo", {
  ServicesHealth: go.string,
});

/** `routing.RouteDescriptorFields`. */
export interface RouteDescriptorFields {
  /** Destination key. */
  DstPK: PubKey;
  /** Source key. */
  SrcPK: PubKey;
  /** Destination port. */
  DstPort: number;
  /** Source port. */
  SrcPort: number;
}
/** `routing.RouteDescriptorFields`. */
export const RouteDescriptorFields: StructType<RouteDescriptorFields> = go.struct(
  "routing.RouteDescriptorFields",
  { DstPK: PK, SrcPK: PK, DstPort: Port, SrcPort: Port },
);

/** `routing.RuleSummary` (one of the three `*Fields` is set, by `Type`). */
export interface RuleSummary {
  /** Keep-alive, ns. */
  KeepAlive: bigint;
  /** `routing.RuleType` (0 Consume, 1 Forward, 2 IntermediaryForward). */
  Type: number;
  /** Key route id. */
  KeyRouteID: number;
  /** Consume fields. */
  ConsumeFields?: { RouteDescriptor: RouteDescriptorFields };
  /** Forward fields. */
  ForwardFields?: { RouteDescriptor: RouteDescriptorFields; NextRID: number; NextTID: string };
  /** IntermediaryForward fields. */
  IntermediaryForwardFields?: { NextRID: number; NextTID: string };
}
/** `routing.RuleSummary`. */
export const RuleSummary: StructType<RuleSummary> = go.struct("routing.RuleSummary", {
  KeepAlive: routingGob.Duration,
  Type: go.named("routing.RuleType", go.uint8),
  KeyRouteID: routingGob.RouteID,
  ConsumeFields: go.struct("routing.RuleConsumeFields", { RouteDescriptor: RouteDescriptorFields }),
  ForwardFields: go.struct("routing.RuleForwardFields", {
    RouteDescriptor: RouteDescriptorFields,
    NextRID: routingGob.RouteID,
    NextTID: UUID,
  }),
  IntermediaryForwardFields: go.struct("routing.RuleIntermediaryForwardFields", {
    NextRID: routingGob.RouteID,
    NextTID: UUID,
  }),
}) as StructType<RuleSummary>;

/** A rule in Go's `visor.routingRuleResp` (the `Routes` of a summary). */
export interface RoutingRuleResp {
  /** Key route id. */
  Key: number;
  /** The rule's bytes, hex. */
  Rule: string;
  /** Its summary. */
  Summary?: RuleSummary;
}
/** `visor.routingRuleResp`. */
export const RoutingRuleResp: StructType<RoutingRuleResp> = go.struct("visor.routingRuleResp", {
  Key: routingGob.RouteID,
  Rule: go.string,
  Summary: RuleSummary,
}) as StructType<RoutingRuleResp>;

/** `dmsgtracker.DmsgClientSummary`. */
export interface DmsgClientSummary {
  /** The visor. */
  PK: PubKey;
  /** Its dmsg server. */
  ServerPK: PubKey;
  /** Round trip, ns. */
  RoundTrip: bigint;
}
/** `dmsgtracker.DmsgClientSummary`. */
export const DmsgClientSummary: StructType<DmsgClientSummary> = go.struct(
  "dmsgtracker.DmsgClientSummary",
  { PK, ServerPK: PK, RoundTrip: routingGob.Duration },
);

/** `transport.PersistentTransports`. */
export interface PersistentTransport {
  /** The peer. */
  PK: PubKey;
  /** Its type. */
  NetType: string;
}
/** `transport.PersistentTransports`. */
export const PersistentTransport: StructType<PersistentTransport> = go.struct(
  "transport.PersistentTransports",
  { PK, NetType: go.named("network.Type", go.string) },
);

/** `visor.Summary`: what a hypervisor shows of a visor. */
export interface Summary {
  /** `*Overview` (Go's hypervisor needs it set). */
  Overview?: Overview;
  /** `*HealthInfo`. */
  Health?: HealthInfo;
  /** Seconds since start. */
  Uptime: number;
  /** Its routing rules. */
  Routes: RoutingRuleResp[];
  /** Set by a hypervisor for itself. */
  IsHypervisor: boolean;
  /** `*DmsgClientSummary`. */
  DmsgStats?: DmsgClientSummary;
  /** Set by a hypervisor. */
  Online: boolean;
  /** `routing.min_hops`. */
  MinHops: number;
  /** Persistent transports of its config. */
  PersistentTransports: PersistentTransport[];
  /** Skybian build. */
  SkybianBuildVersion: string;
  /** Reward address. */
  RewardAddress: string;
  /** Build tag. */
  BuildTag: string;
  /** `transport.public_autoconnect`. */
  PublicAutoconnect: boolean;
}
/** `visor.Summary`. */
export const Summary: StructType<Summary> = go.struct("visor.Summary", {
  Overview,
  Health: HealthInfo,
  Uptime: go.float64,
  Routes: go.slice(RoutingRuleResp),
  IsHypervisor: go.bool,
  DmsgStats: DmsgClientSummary,
  Online: go.bool,
  MinHops: go.uint16,
  PersistentTransports: go.slice(PersistentTransport),
  SkybianBuildVersion: go.string,
  RewardAddress: go.string,
  BuildTag: go.string,
  PublicAutoconnect: go.bool,
}) as StructType<Summary>;

/** `visor.TransportsIn`. */
export interface TransportsIn {
  /** Only these types. */
  FilterTypes: string[];
  /** Only transports to these keys. */
  FilterPubKeys: PubKey[];
  /** Include payload bytes. */
  ShowLogs: boolean;
}
/** `visor.TransportsIn`. */
export const TransportsIn: StructType<TransportsIn> = go.struct("visor.TransportsIn", {
  FilterTypes: go.slice(go.string),
  FilterPubKeys: PubKeys,
  ShowLogs: go.bool,
});

/** `visor.AddTransportIn`. */
export interface AddTransportIn {
  /** The other edge. */
  RemotePK: PubKey;
  /** Transport type. */
  TpType: string;
  /** Give up after, ns. */
  Timeout: bigint;
}
/** `visor.AddTransportIn`. */
export const AddTransportIn: StructType<AddTransportIn> = go.struct("visor.AddTransportIn", {
  RemotePK: PK,
  TpType: go.string,
  Timeout: routingGob.Duration,
});

/** `visor.RouteGroupInfo`. */
export interface RouteGroupInfo {
  /** The Consume rule's bytes. */
  ConsumeRule: Uint8Array;
  /** The Forward rule's bytes. */
  FwdRule: Uint8Array;
}
/** `visor.RouteGroupInfo`. */
export const RouteGroupInfo: StructType<RouteGroupInfo> = go.struct("visor.RouteGroupInfo", {
  ConsumeRule: routingGob.Rule,
  FwdRule: routingGob.Rule,
});

/** `visor.AppLogsRequest`. */
export interface AppLogsRequest {
  /** Lines at or after this time (Unix ns). */
  TimeStamp: bigint;
  /** The app. */
  AppName: string;
}
/** `visor.AppLogsRequest`. */
export const AppLogsRequest: StructType<AppLogsRequest> = go.struct("visor.AppLogsRequest", {
  TimeStamp: Time,
  AppName: go.string,
});

/** `[]string`. */
export const Strings: SliceType<string> = go.slice(go.string);
/** `[]routing.Rule`. */
export const Rules: SliceType<Uint8Array> = routingGob.Rules;
/** `[]visor.RouteGroupInfo`. */
export const RouteGroupInfos: SliceType<RouteGroupInfo> = go.slice(RouteGroupInfo);
