// Conversions between the control API's JSON shapes and Go's gob types of the hypervisor RPC.
import { PubKey } from "../../mod/cipher/mod.ts";
import type { RuleSummary as RuleSummaryJson } from "../../mod/routing/mod.ts";
import type { AppSummary } from "./api.ts";
import type { AppStateSummary, TransportSummary as TransportJson } from "./api_types.ts";
import * as hv from "./hv_rpc_types.ts";

function descriptor(fields: {
  dst_pk: string;
  src_pk: string;
  dst_port: number;
  src_port: number;
}): hv.RouteDescriptorFields {
  return {
    DstPK: PubKey.fromHex(fields.dst_pk),
    SrcPK: PubKey.fromHex(fields.src_pk),
    DstPort: fields.dst_port,
    SrcPort: fields.src_port,
  };
}

/** A rule summary (Go's JSON) as Go's gob `routing.RuleSummary`. */
export function ruleSummaryToGob(s: RuleSummaryJson): hv.RuleSummary {
  const out: hv.RuleSummary = {
    KeepAlive: BigInt(s.keep_alive),
    Type: s.rule_type,
    KeyRouteID: s.key_route_id,
  };
  if (s.app_fields) {
    out.ConsumeFields = { RouteDescriptor: descriptor(s.app_fields.route_descriptor) };
  }
  if (s.forward_fields) {
    out.ForwardFields = {
      RouteDescriptor: descriptor(s.forward_fields.route_descriptor),
      NextRID: s.forward_fields.next_rid,
      NextTID: s.forward_fields.next_tid,
    };
  }
  if (s.intermediary_forward_fields) {
    out.IntermediaryForwardFields = {
      NextRID: s.intermediary_forward_fields.next_rid,
      NextTID: s.intermediary_forward_fields.next_tid,
    };
  }
  return out;
}

/** A transport of the control API as Go's `TransportSummary` (with its payload bytes). */
export function transportToGob(t: TransportJson): hv.TransportSummary {
  return {
    ID: t.id,
    Local: PubKey.fromHex(t.local_pk),
    Remote: PubKey.fromHex(t.remote_pk),
    Type: t.type,
    Log: { RecvBytes: BigInt(t.log.recv), SentBytes: BigInt(t.log.sent) },
    IsSetup: t.is_setup,
    Label: t.label,
  };
}

/** Go's `TransportSummary` as the control API's transport; `persistent` from the summary. */
export function transportFromGob(t: hv.TransportSummary, persistent: boolean): TransportJson {
  return {
    id: t.ID,
    local_pk: t.Local.hex(),
    remote_pk: t.Remote.hex(),
    type: t.Type,
    label: t.Label,
    // Go lists the transports its manager holds; it says nothing of their connection.
    is_up: true,
    is_setup: t.IsSetup,
    persistent,
    log: { recv: Number(t.Log?.RecvBytes ?? 0n), sent: Number(t.Log?.SentBytes ?? 0n) },
    latency_ms: null,
  };
}

/** An app of the control API as Go's `AppState`. */
export function appToGob(a: AppStateSummary): hv.AppState {
  const status = a.status === "running" || a.status === "stopping"
    ? hv.AppStatus.running
    : a.status === "errored"
    ? hv.AppStatus.errored
    : a.status === "starting"
    ? hv.AppStatus.starting
    : hv.AppStatus.stopped;
  return {
    AppConfig: { Name: a.name, Binary: a.name, Args: [], AutoStart: a.auto_start, Port: a.port },
    Status: status,
    DetailedStatus: a.detailed_status ?? "",
  };
}

/** Go's `AppState` as the UI's app (Go's three states; starting is named in the detail). */
export function appFromGob(a: hv.AppState): AppSummary {
  const status = a.Status === hv.AppStatus.running
    ? "running"
    : a.Status === hv.AppStatus.errored
    ? "errored"
    : "stopped";
  const detail = a.Status === hv.AppStatus.starting ? "starting" : a.DetailedStatus;
  return {
    name: a.AppConfig.Name,
    auto_start: a.AppConfig.AutoStart,
    port: a.AppConfig.Port,
    status,
    detailed_status: detail || undefined,
  };
}
