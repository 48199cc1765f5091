/** The config sections the visor does not run yet: named when they ask for something. */
import { assertEquals } from "@std/assert";
import { generateConfig } from "../../../mod/config/mod.ts";
import { sectionsNotRun } from "../../../services/visor/sections_not_run.ts";

Deno.test("sectionsNotRun: a generated config names everything it asks for but does not get", () => {
  const config = generateConfig({ hypervisors: [generateConfig().pk] });
  assertEquals(sectionsNotRun(config), [
    "dmsgpty",
    "transport.transport_setup",
    "transport.log_store",
    "uptime_tracker",
    "launcher apps (skychat)",
    "hypervisors",
  ]);
  // The web UI runs from the hypervisor section, its TLS too.
  config.hypervisor!.enable_tls = true;
  assertEquals(sectionsNotRun(config).at(-1), "hypervisors");
});

Deno.test("sectionsNotRun: empty or switched-off sections are not named; transports and routing are run", () => {
  const config = generateConfig();
  delete config.dmsgpty;
  delete config.hypervisor;
  delete config.transport.log_store;
  config.transport.transport_setup = [];
  config.uptime_tracker = { addr: "" };
  config.launcher.apps = (config.launcher.apps ?? []).map((app) => ({ ...app, auto_start: false }));
  config.cli_addr = "localhost:3435";
  config.persistent_transports = [{ pk: config.pk, type: "stcpr" }];
  config["skywire-tcp"] = { pk_table: {}, listening_address: ":7777" };
  assertEquals(sectionsNotRun(config), []);

  config.stun_servers = ["stun.example:3478"];
  config.is_public = true;
  config.transport.public_autoconnect = true;
  config.survey_whitelist = [config.pk];
  assertEquals(sectionsNotRun(config), [
    "transport.public_autoconnect",
    "survey_whitelist",
    "stun_servers",
    "is_public",
  ]);
  config.routing.enable_cascade_route_setup = true;
  assertEquals(sectionsNotRun(config)[1], "routing.enable_cascade_route_setup");
});
