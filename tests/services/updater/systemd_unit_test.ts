import { assert, assertEquals, assertMatch, assertThrows } from "@std/assert";
import {
  envFileTemplate,
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
    systemdUnit({ exe: "/opt/skywire/skywire", config: "/opt/skywire/skywire-config.json" }),
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
});

Deno.test("the start limit leaves room for a rollback: 3 trial starts, the rollback start, the old binary", () => {
  const unit = directives(systemdUnit({ exe: "/a", config: "/b/c.json" }));
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
    systemdUnit({ exe: "/opt/my node/skywire", config: "/etc/sky wire/c.json" }),
  );
  assertEquals(unit.get("ExecStart"), '"/opt/my node/skywire" visor -c "/etc/sky wire/c.json"');
  assertEquals(unit.get("WorkingDirectory"), '"/etc/sky wire"');
});

Deno.test("the environment file template documents RESTART_SERVICES, commented out", () => {
  const text = envFileTemplate();
  assertMatch(text, /^# RESTART_SERVICES: .*after an update.*$/m);
  assertMatch(text, /^#RESTART_SERVICES=/m);
  assertEquals(parseEnvFile(text).size, 0, "nothing is set until the operator uncomments it");
  const uncommented = parseEnvFile(text.replace("#RESTART_SERVICES", "RESTART_SERVICES"));
  assertEquals(uncommented.get("RESTART_SERVICES"), "skywire-vpn-client.service, my-proxy.service");
});
