import { assert, assertEquals, assertMatch, assertThrows } from "@std/assert";
import {
  ConfigError,
  configToJson,
  customServiceEndpoints,
  formatDuration,
  generateConfig,
  parseConfig,
  parseDuration,
} from "../../../mod/config/mod.ts";
import { generateKeyPair } from "../../../mod/cipher/mod.ts";

function mutate(edit: (c: Record<string, unknown>) => void): string {
  const config = JSON.parse(configToJson(generateConfig())) as Record<string, unknown>;
  edit(config);
  return JSON.stringify(config);
}

Deno.test("a generated config parses back with no warnings and matching keys", () => {
  const keys = generateKeyPair();
  const text = configToJson(generateConfig({ keys, cascade: true, minHops: 2 }));
  const parsed = parseConfig(text);
  assertEquals(parsed.warnings, []);
  assertEquals(parsed.pk.hex(), keys.pk.hex());
  assertEquals(parsed.config.routing.enable_cascade_route_setup, true);
  assertEquals(parsed.config.routing.min_hops, 2);
});

Deno.test("the generated config uses Skywire's field names", () => {
  const config = JSON.parse(configToJson(generateConfig()));
  for (
    const field of [
      "version",
      "sk",
      "pk",
      "dmsg",
      "transport",
      "routing",
      "launcher",
      "hypervisor",
      "cli_addr",
      "log_level",
      "local_path",
    ]
  ) {
    assert(field in config, field);
  }
  assertEquals(Object.keys(config.dmsg).slice(0, 3), ["discovery", "sessions_count", "servers"]);
  for (
    const field of ["route_setup_nodes", "route_finder", "min_hops", "enable_cascade_route_setup"]
  ) {
    assert(field in config.routing, field);
  }
  assert(Array.isArray(config.launcher.apps));
});

Deno.test("an unknown field is a warning naming it", () => {
  const parsed = parseConfig(mutate((c) => {
    c.shiny = 1;
    (c.dmsg as Record<string, unknown>).extra = true;
  }));
  assertEquals(
    parsed.warnings,
    [
      'unknown config field "dmsg.extra" (ignored)',
      'unknown config field "shiny" (ignored)',
    ].sort((a, b) => parsed.warnings.indexOf(a) - parsed.warnings.indexOf(b)),
  );
  assertEquals(parsed.warnings.length, 2);
});

Deno.test("a wrong type is an error naming the field", () => {
  const error = assertThrows(
    () => parseConfig(mutate((c) => (c.routing as Record<string, unknown>).min_hops = "3")),
    ConfigError,
  );
  assertEquals(error.message, 'config field "routing.min_hops": want an integer, got string');
  assertThrows(
    () => parseConfig(mutate((c) => (c.dmsg as Record<string, unknown>).sessions_count = -1)),
    ConfigError,
    '"dmsg.sessions_count"',
  );
  assertThrows(() => parseConfig(mutate((c) => c.log_level = "loud")), ConfigError, '"log_level"');
  assertThrows(
    () => parseConfig(mutate((c) => c.shutdown_timeout = "ten seconds")),
    ConfigError,
    '"shutdown_timeout"',
  );
  assertThrows(() => parseConfig(mutate((c) => delete c.dmsg)), ConfigError, '"dmsg" is missing');
  assertThrows(
    () => parseConfig(mutate((c) => c.hypervisors = ["nope"])),
    ConfigError,
    '"hypervisors[0]"',
  );
});

Deno.test("a bad secret key is an error that never contains the key", () => {
  const secret = "zz" + "ab".repeat(31);
  const error = assertThrows(() => parseConfig(mutate((c) => c.sk = secret)), ConfigError);
  assertMatch(error.message, /config field "sk"/);
  assert(!error.message.includes(secret));
  const other = generateKeyPair();
  const mismatch = assertThrows(
    () => parseConfig(mutate((c) => c.sk = other.sk.hex())),
    ConfigError,
  );
  assertMatch(mismatch.message, /"pk" does not belong/);
  assert(!mismatch.message.includes(other.sk.hex()));
});

Deno.test("invalid JSON is a clear error", () => {
  assertThrows(() => parseConfig("{"), ConfigError, "not valid JSON");
});

Deno.test("Go durations parse and format", () => {
  assertEquals(parseDuration("10s"), 10_000);
  assertEquals(parseDuration("1h30m"), 5_400_000);
  assertEquals(parseDuration("168h0m0s"), 168 * 3_600_000);
  assertEquals(parseDuration("250ms"), 250);
  assertEquals(parseDuration("0"), 0);
  assertEquals(parseDuration("10"), undefined);
  assertEquals(parseDuration(""), undefined);
  assertEquals(parseDuration("5x"), undefined);
  assertEquals(formatDuration(86_400_000), "24h0m0s");
  assertEquals(formatDuration(90_000), "1m30s");
  assertEquals(formatDuration(10_000), "10s");
});

Deno.test("customServiceEndpoints: only endpoints no deployment uses", () => {
  assertEquals(customServiceEndpoints(generateConfig()), {});
  assertEquals(customServiceEndpoints(generateConfig({ testEnv: true })), {});
  const config = generateConfig({
    services: { dmsgDiscovery: "http://127.0.0.1:9090", routeSetupNodes: [] },
  });
  assertEquals(config.dmsg.discovery, "http://127.0.0.1:9090");
  assertEquals(customServiceEndpoints(config), {
    dmsgDiscovery: "http://127.0.0.1:9090",
    routeSetupNodes: [],
  });
});

Deno.test("dmsg.discovery must be an http(s) URL: the visor fetches from it", () => {
  for (const [value, reason] of [["127.0.0.1:9090", "no scheme"], ["dmsg://x", "not an http"]]) {
    assertThrows(
      () => parseConfig(mutate((c) => (c.dmsg as Record<string, unknown>).discovery = value)),
      ConfigError,
      `config field "dmsg.discovery": "${value}" is not`,
    );
    assertThrows(
      () => parseConfig(mutate((c) => (c.dmsg as Record<string, unknown>).discovery = value)),
      ConfigError,
      reason,
    );
  }
  const ok = parseConfig(
    mutate((c) => (c.dmsg as Record<string, unknown>).discovery = "https://d.example/"),
  );
  assertEquals(ok.config.dmsg.discovery, "https://d.example/");
});
