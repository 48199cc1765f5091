import type { VisorApi } from "../../services/visor/api.ts";
import type { FleetVisor } from "../../services/visor/fleet_types.ts";
import { routeGroupsJson, routingRuleJson } from "./_route_json.ts";

/** Go's `buildinfo.Info` of a visor. */
export function buildInfo(version: string) {
  return { version, commit: "", date: "" };
}

/** Seconds since the visor started. */
export function uptimeSeconds(api: VisorApi): number {
  return Math.max(0, (Date.now() - Date.parse(api.info().started_at)) / 1000);
}

// Go encodes durations (time.Duration) as integer nanoseconds.
function nanoseconds(ms: number | null): number {
  return ms === null ? 0 : Math.round(ms * 1e6);
}

/** Go's `DmsgClientSummary` of a visor: its fastest session; `null` without sessions. */
export function dmsgStats(api: VisorApi) {
  const sessions = api.dmsg().sessions;
  if (sessions.length === 0) return null;
  // The fastest session, as Go's dmsg tracker reports one per visor.
  const best =
    [...sessions].sort((a, b) => (a.latency_ms ?? Infinity) - (b.latency_ms ?? Infinity))[0];
  return {
    public_key: api.info().pk,
    server_public_key: best.server_pk,
    round_trip: nanoseconds(best.latency_ms),
  };
}

/** Go's `HealthInfo`: healthy with dmsg sessions and stores that probe ok. */
export async function health(api: VisorApi) {
  const sessions = api.dmsg().sessions.length;
  // A remote visor that does not report its stores is judged by its sessions.
  const stores = await api.stores().catch(() => []);
  const healthy = sessions > 0 && stores.every((s) => s.last_check?.status === "ok");
  return { services_health: healthy ? "healthy" : "connecting" };
}

/** Go's `Overview` of a visor. */
export async function overview(api: VisorApi) {
  const info = api.info();
  const [apps, transports, rules] = await Promise.all([
    api.apps?.list() ?? [],
    api.transports?.list() ?? [],
    api.routes?.rules() ?? [],
  ]);
  return {
    local_pk: info.pk,
    build_info: buildInfo(info.version),
    app_protocol_version: "",
    apps,
    transports,
    routes_count: rules.length,
    local_ip: "",
    public_ip: "",
    is_symmetic_nat: false,
    hypervisors: info.hypervisors,
    connected_hypervisor: [],
  };
}

/** What Go's hypervisor lists for a visor it could not ask: its key, the rest empty. */
export function emptyOverview(pk: string) {
  return {
    local_pk: pk,
    build_info: null,
    app_protocol_version: "",
    apps: null,
    transports: null,
    routes_count: 0,
    local_ip: "",
    public_ip: "",
    is_symmetic_nat: false,
    hypervisors: null,
    connected_hypervisor: null,
  };
}

/** Go's `Summary` of a visor. */
export async function summary(api: VisorApi) {
  const info = api.info();
  const sessions = api.dmsg().sessions;
  const [base, state, rules, groups] = await Promise.all([
    overview(api),
    health(api),
    api.routes?.rules() ?? [],
    api.routes?.groups() ?? [],
  ]);
  return {
    overview: base,
    health: state,
    uptime: uptimeSeconds(api),
    routes: rules.map((r) => routingRuleJson(r, true)),
    route_groups: routeGroupsJson(rules, groups),
    dmsg_stats: dmsgStats(api),
    connected_dmsg_servers: sessions.map((s) => s.server_pk),
    dmsg_servers: sessions.map((s) => ({ pk: s.server_pk, latency: nanoseconds(s.latency_ms) })),
    online: true,
    min_hops: info.min_hops,
    persistent_transports: null,
    reward_address: "",
    build_tag: "",
    config_version: "",
    public_autoconnect: false,
    is_public: info.is_public,
  };
}

/**
 * A fleet member's entry of Go's `/api/visors-summary`: its summary with `is_hypervisor` for
 * this node, or (it did not answer) Go's stand-in: its key, `online: false`, zero dmsg stats.
 */
export async function fleetSummary(visor: FleetVisor, failed: string | undefined) {
  if (failed === undefined) {
    try {
      const value = await summary(visor.api);
      return visor.local ? { ...value, is_hypervisor: true } : value;
    } catch {
      // Answered the refresh but not the summary's reads: listed as offline below.
    }
  }
  return {
    overview: emptyOverview(visor.pk),
    health: {},
    uptime: 0,
    routes: null,
    dmsg_stats: { public_key: "", server_public_key: "", round_trip: 0 },
    online: false,
    min_hops: 0,
    persistent_transports: null,
    reward_address: "",
    build_tag: "",
    public_autoconnect: false,
  };
}
