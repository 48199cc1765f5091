import { assertEquals } from "@std/assert";
import { join } from "node:path";
import { tempDir } from "../../_util/temp_dir.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import {
  insideUnit,
  parseEnvFile,
  restartAfterUpdate,
  splitRestartServices,
} from "../../../services/updater/mod.ts";
import { systemctlStub } from "./_fixtures.ts";

const OUTSIDE = "0::/user.slice/user-0.slice/session-3.scope\n";

async function restartWith(envText: string | undefined, active: string[], failing: string[] = []) {
  await using dir = await tempDir();
  const stub = await systemctlStub(dir.path, { active, failing });
  const envFile = join(dir.path, "skywire.conf");
  if (envText !== undefined) await Deno.writeTextFile(envFile, envText);
  const report = await restartAfterUpdate({
    service: "skywire",
    envFile,
    pathEnv: stub.pathEnv,
    selfCgroup: OUTSIDE,
    logger: captureLogger(),
  });
  return { report, calls: await stub.calls() };
}

Deno.test("RESTART_SERVICES empty or absent: only skywire is restarted", async () => {
  for (
    const env of [undefined, "", "RESTART_SERVICES=\n", 'RESTART_SERVICES=""\n', "# nothing\n"]
  ) {
    const { calls, report } = await restartWith(env, ["skywire", "other"]);
    assertEquals(calls, ["is-active skywire", "restart skywire"], String(env));
    assertEquals(report.units, [{ unit: "skywire", result: "restarted" }]);
  }
});

Deno.test("RESTART_SERVICES with one unit restarts it after skywire", async () => {
  const { calls } = await restartWith("RESTART_SERVICES=vpn.service\n", ["skywire", "vpn.service"]);
  assertEquals(calls, [
    "is-active skywire",
    "restart skywire",
    "is-active vpn.service",
    "restart vpn.service",
  ]);
});

Deno.test("RESTART_SERVICES space- and comma-separated, in order, skipping inactive units", async () => {
  const env = `# units that use skywire
export RESTART_SERVICES="a.service b.service,c.service , d.service"  # trailing comment
OTHER=x
`;
  const { calls, report } = await restartWith(env, [
    "skywire",
    "a.service",
    "c.service",
    "d.service",
  ]);
  assertEquals(calls, [
    "is-active skywire",
    "restart skywire",
    "is-active a.service",
    "restart a.service",
    "is-active b.service",
    "is-active c.service",
    "restart c.service",
    "is-active d.service",
    "restart d.service",
  ]);
  assertEquals(report.units.map((u) => u.result), [
    "restarted",
    "restarted",
    "inactive",
    "restarted",
    "restarted",
  ]);
  assertEquals(report.units[2].detail, "inactive");
});

Deno.test("an inactive skywire is not restarted, a failing restart is reported", async () => {
  const { calls, report } = await restartWith("RESTART_SERVICES='x y'\n", ["x", "y"], ["x"]);
  assertEquals(calls, [
    "is-active skywire",
    "is-active x",
    "restart x",
    "is-active y",
    "restart y",
  ]);
  assertEquals(report.units.map((u) => `${u.unit}:${u.result}`), [
    "skywire:inactive",
    "x:failed",
    "y:restarted",
  ]);
  assertEquals(report.units[1].detail, "Job for x failed.");
});

Deno.test("bad unit names and skywire itself in RESTART_SERVICES are not passed to systemctl", async () => {
  const { calls, report } = await restartWith(
    'RESTART_SERVICES="skywire.service --now ok.service $(reboot)"\n',
    ["skywire", "ok.service"],
  );
  assertEquals(calls, [
    "is-active skywire",
    "restart skywire",
    "is-active ok.service",
    "restart ok.service",
  ]);
  assertEquals(report.warnings.length, 2, report.warnings.join("\n"));
});

Deno.test("no systemctl on PATH: nothing restarted, a warning says what to do", async () => {
  await using dir = await tempDir();
  const report = await restartAfterUpdate({
    service: "skywire",
    envFile: join(dir.path, "none"),
    pathEnv: dir.path,
    selfCgroup: OUTSIDE,
    logger: captureLogger(),
  });
  assertEquals(report.units, []);
  assertEquals(report.warnings.length, 1);
});

Deno.test("inside its own unit the restarts are handed to systemd-run", async () => {
  await using dir = await tempDir();
  const stub = await systemctlStub(dir.path, { active: ["skywire", "vpn"] });
  const envFile = join(dir.path, "skywire.conf");
  await Deno.writeTextFile(envFile, "RESTART_SERVICES=vpn\n");
  const report = await restartAfterUpdate({
    service: "skywire",
    envFile,
    pathEnv: stub.pathEnv,
    selfCgroup: "0::/system.slice/skywire.service\n",
    delegate: { exe: "/opt/skywire/skywire", args: ["update", "--restart-only"] },
    logger: captureLogger(),
  });
  assertEquals(await stub.calls(), []);
  const runs = await stub.runCalls();
  assertEquals(runs.length, 1);
  assertEquals(
    runs[0].replace(/-\d+ /, "-N "),
    "--unit=skywire-update-restart-N --collect --no-block --quiet -- /opt/skywire/skywire update --restart-only",
  );
  assertEquals(report.delegatedTo?.startsWith("skywire-update-restart-"), true);
});

Deno.test("inside its own unit without systemd-run, the node's own restart goes last without blocking", async () => {
  await using dir = await tempDir();
  const stub = await systemctlStub(dir.path, { active: ["skywire", "vpn"] });
  await Deno.remove(join(stub.binDir, "systemd-run"));
  const envFile = join(dir.path, "skywire.conf");
  await Deno.writeTextFile(envFile, "RESTART_SERVICES=vpn\n");
  await restartAfterUpdate({
    service: "skywire",
    envFile,
    pathEnv: `${stub.binDir}:/nonexistent`,
    selfCgroup: "0::/system.slice/skywire.service\n",
    delegate: { exe: "/x", args: [] },
    logger: captureLogger(),
  });
  assertEquals(await stub.calls(), [
    "is-active vpn",
    "restart vpn",
    "is-active skywire",
    "restart --no-block skywire",
  ]);
});

Deno.test("insideUnit reads cgroup v1 and v2 listings", () => {
  assertEquals(insideUnit("0::/system.slice/skywire.service\n", "skywire"), true);
  assertEquals(insideUnit("0::/system.slice/skywire.service\n", "skywire.service"), true);
  assertEquals(insideUnit("12:pids:/system.slice/skywire.service\n", "skywire"), true);
  assertEquals(insideUnit("0::/system.slice/skywire-vpn.service\n", "skywire"), false);
  assertEquals(insideUnit("0::/user.slice\n", "skywire"), false);
  assertEquals(insideUnit("", "skywire"), false);
});

Deno.test("parseEnvFile reads shell-style assignments", () => {
  const vars = parseEnvFile(`# comment
A=plain
B="two words"   # comment
C='single $x "q"'
export D=exported
E="esc \\"q\\" \\$HOME"
F=a\\ b
not an assignment
G=
H="multi
line"
A=again
`);
  assertEquals(Object.fromEntries(vars), {
    A: "again",
    B: "two words",
    C: 'single $x "q"',
    D: "exported",
    E: 'esc "q" $HOME',
    F: "a b",
    G: "",
    H: "multi\nline",
  });
});

Deno.test("splitRestartServices splits on spaces and commas and drops duplicates", () => {
  assertEquals(splitRestartServices(" a, b  c,,a\td "), {
    units: ["a", "b", "c", "d"],
    invalid: [],
  });
  assertEquals(splitRestartServices(undefined), { units: [], invalid: [] });
  assertEquals(splitRestartServices("ok -x a;b").invalid, ["-x", "a;b"]);
});
