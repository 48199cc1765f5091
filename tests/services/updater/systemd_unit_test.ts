import { assert, assertEquals, assertMatch, assertThrows } from "@std/assert";
import { RUNTIME_FLAGS } from "../../../mod/launch/mod.ts";
import {
  envFileTemplate,
  nodeCommand,
  parseEnvFile,
  quoteUnitArg,
  systemdUnit,
} from "../../../services/updater/mod.ts";

function directives(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

Deno.test("the unit restarts on failure with a delay and start limits, running visor -c CONFIG", () => {
  const unit = directives(
    systemdUnit({
      command: ["/opt/skywire/skywire", "visor", "-c", "/opt/skywire/skywire-config.json"],
      config: "/opt/skywire/skywire-config.json",
    }),
  );
  assertEquals(unit.get("Restart"), "on-failure");
  assertEquals(unit.get("RestartSec"), "5");
  assertEquals(unit.get("StartLimitIntervalSec"), "300");
  assertEquals(unit.get("StartLimitBurst"), "10");
  assertEquals(unit.get("WorkingDirectory"), "/opt/skywire");
  assertEquals(
    unit.get("ExecStart"),
    "/opt/skywire/skywire visor -c /opt/skywire/skywire-config.json",
  );
  assertEquals(unit.get("WantedBy"), "multi-user.target");
  assertEquals(unit.get("Environment"), "DENO_NO_UPDATE_CHECK=1");
});

Deno.test("the start limit leaves room for a rollback: 3 trial starts, the rollback start, the old binary", () => {
  const unit = directives(
    systemdUnit({ command: ["/a", "visor", "-c", "/b/c.json"], config: "/b/c.json" }),
  );
  const startsForRollback = 3 + 1 + 1;
  const burst = Number(unit.get("StartLimitBurst"));
  assert(startsForRollback < burst);
  // Within the window those starts take at least (starts - 1) * RestartSec seconds.
  assert(
    (startsForRollback - 1) * Number(unit.get("RestartSec")) <
      Number(unit.get("StartLimitIntervalSec")),
  );
});

Deno.test("paths with spaces and unit-file specials are quoted", () => {
  assertEquals(quoteUnitArg("/opt/sky wire/skywire"), '"/opt/sky wire/skywire"');
  assertEquals(quoteUnitArg("/opt/100%/x"), "/opt/100%%/x");
  assertEquals(quoteUnitArg("/opt/$HOME/x"), "/opt/$$HOME/x");
  assertEquals(quoteUnitArg('/a"b c'), '"/a\\"b c"');
  assertThrows(() => quoteUnitArg("/a\nb"));
  const unit = directives(
    systemdUnit({
      command: ["/opt/my node/skywire", "visor", "-c", "/etc/sky wire/c.json"],
      config: "/etc/sky wire/c.json",
    }),
  );
  assertEquals(unit.get("ExecStart"), '"/opt/my node/skywire" visor -c "/etc/sky wire/c.json"');
  assertEquals(unit.get("WorkingDirectory"), '"/etc/sky wire"');
});

Deno.test("the node's command: the compiled binary, or Deno running main.ts with the node's flags", () => {
  const config = "/opt/skywire/skywire-config.json";
  const base = { denoVersion: "2.9.6", denoCommand: "deno" };
  assertEquals(
    nodeCommand({ config, launch: { ...base, kind: "compiled", execPath: "/usr/bin/skywire" } }),
    ["/usr/bin/skywire", "visor", "-c", config],
  );
  const deno = {
    ...base,
    execPath: "/usr/local/bin/deno",
    mainPath: "/src/skywire/main.ts",
    projectDir: "/src/skywire",
  };
  for (const kind of ["deno_run", "deno_task", "npx_task"] as const) {
    assertEquals(nodeCommand({ config, launch: { ...deno, kind } }), [
      "/usr/local/bin/deno",
      "run",
      "-A",
      "--unstable-kv",
      ...RUNTIME_FLAGS,
      "/src/skywire/main.ts",
      "visor",
      "-c",
      config,
    ]);
  }
  // --exe names a compiled binary whatever runs this command.
  assertEquals(
    nodeCommand({ config, exe: "/opt/skywire/skywire", launch: { ...deno, kind: "deno_run" } }),
    ["/opt/skywire/skywire", "visor", "-c", config],
  );
});

Deno.test("the environment file template documents RESTART_SERVICES, commented out", () => {
  const text = envFileTemplate();
  assertMatch(text, /^# RESTART_SERVICES: .*after an update.*$/m);
  assertMatch(text, /^#RESTART_SERVICES=/m);
  assertEquals(parseEnvFile(text).size, 0, "nothing is set until the operator uncomments it");
  const uncommented = parseEnvFile(text.replace("#RESTART_SERVICES", "RESTART_SERVICES"));
  assertEquals(uncommented.get("RESTART_SERVICES"), "skywire-vpn-client.service, my-proxy.service");
});
