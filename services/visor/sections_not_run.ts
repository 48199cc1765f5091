import type { SkywireConfig } from "../../mod/config/mod.ts";

/**
 * The parts of a config this build's visor does not run yet, in the config's order, so the
 * node can say so at start instead of ignoring them silently. Sections that are empty or off
 * are left out: they ask for nothing. (The visor runs `dmsg`, `local_path`, `log_level`,
 * `shutdown_timeout`, `store`, `updater` and, for the web UI, `hypervisor`.)
 */
export function sectionsNotRun(config: SkywireConfig): string[] {
  const sections: string[] = [];
  if (config.dmsgpty) sections.push("dmsgpty");
  // Both are required sections: a node without transports and routes does neither.
  sections.push("transport", "routing");
  if (config.uptime_tracker?.addr) sections.push("uptime_tracker");
  const apps = (config.launcher.apps ?? []).filter((app) => app.auto_start).map((app) => app.name);
  if (apps.length) sections.push(`launcher apps (${apps.join(", ")})`);
  if (config.survey_whitelist?.length) sections.push("survey_whitelist");
  if (config.hypervisors?.length) sections.push("hypervisors");
  if (config.cli_addr) sections.push("cli_addr");
  if (config.stun_servers?.length) sections.push("stun_servers");
  if (config.is_public) sections.push("is_public");
  if (config.persistent_transports?.length) sections.push("persistent_transports");
  // The web UI runs from the hypervisor section; TLS for it does not.
  if (config.hypervisor?.enable_tls) sections.push("hypervisor.enable_tls");
  return sections;
}
