import type { SkywireConfig } from "../../mod/config/mod.ts";
import { BUILTIN_APPS } from "../apps/mod.ts";

/**
 * The parts of a config this build's visor does not run yet, in the config's order, so the
 * node can say so at start instead of ignoring them silently. Sections that are empty or off
 * are left out: they ask for nothing. (The visor runs `dmsg`, `transport` (discovery,
 * address resolver, stcpr, `skywire-tcp`), `persistent_transports`, `routing`, `cli_addr`,
 * `local_path`,
 * `launcher.apps` (those this build has), `log_level`, `shutdown_timeout`, `store`, `updater` and, for the web UI, `hypervisor`.)
 */
export function sectionsNotRun(config: SkywireConfig): string[] {
  const sections: string[] = [];
  if (config.dmsgpty) sections.push("dmsgpty");
  const transport = config.transport;
  if (transport.public_autoconnect) sections.push("transport.public_autoconnect");
  if (transport.transport_setup?.length) sections.push("transport.transport_setup");
  // Byte counters are kept in memory only.
  if (transport.log_store) sections.push("transport.log_store");
  // Routes are set up the legacy way (setup node): the cascade opt-in is kept, not run.
  if (config.routing.enable_cascade_route_setup) {
    sections.push("routing.enable_cascade_route_setup");
  }
  if (config.uptime_tracker?.addr) sections.push("uptime_tracker");
  // Apps this build runs (skysocks, skysocks-client) are run; others are named.
  const apps = (config.launcher.apps ?? [])
    .filter((app) => app.auto_start && !BUILTIN_APPS.has(app.name)).map((app) => app.name);
  if (apps.length) sections.push(`launcher apps (${apps.join(", ")})`);
  if (config.survey_whitelist?.length) sections.push("survey_whitelist");
  if (config.hypervisors?.length) sections.push("hypervisors");
  if (config.stun_servers?.length) sections.push("stun_servers");
  if (config.is_public) sections.push("is_public");
  return sections;
}
