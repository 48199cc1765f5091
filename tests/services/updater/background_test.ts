import { assert, assertEquals, assertLess } from "@std/assert";
import { join } from "node:path";
import { tempDir } from "../../_util/temp_dir.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { bytesToHex } from "../../../mod/cipher/mod.ts";
import { defaultUpdater, type UpdaterConfig } from "../../../mod/config/mod.ts";
import {
  nextCheckDelay,
  openUpdaterState,
  startBackgroundUpdater,
  type UpdateResult,
} from "../../../services/updater/mod.ts";
import { startReleaseServer } from "./_release_server.ts";
import {
  assertUntouched,
  fakeBinary,
  publishRelease,
  snapshot,
  systemctlStub,
  TEST_TARGET,
  testKey,
  writeBinary,
} from "./_fixtures.ts";

async function setting(config: Partial<UpdaterConfig> = {}) {
  const dir = await tempDir();
  const server = startReleaseServer();
  const key = testKey();
  const exe = join(dir.path, "skywire");
  await writeBinary(exe, fakeBinary("0.1.0"));
  const stub = await systemctlStub(dir.path, { active: ["skywire", "vpn"] });
  const envFile = join(dir.path, "skywire.conf");
  await Deno.writeTextFile(envFile, "RESTART_SERVICES=vpn\n");
  const updater: UpdaterConfig = {
    ...defaultUpdater(),
    url: `${server.url}manifest.json`,
    trusted_keys: [bytesToHex(key.publicKey)],
    env_file: envFile,
    ...config,
  };
  const logger = captureLogger();
  return {
    dir: dir.path,
    server,
    key,
    exe,
    stub,
    logger,
    start: (extra: { firstDelayMs?: number; onResult?: (r: UpdateResult | Error) => void } = {}) =>
      startBackgroundUpdater({
        config: updater,
        stateDir: join(dir.path, "local"),
        logger,
        target: { path: exe, version: "0.1.0", self: false },
        firstDelayMs: extra.firstDelayMs ?? 3_600_000,
        pathEnv: stub.pathEnv,
        selfCgroup: "0::/system.slice/skywire.service\n",
        buildTarget: TEST_TARGET,
        onResult: extra.onResult,
      }),
    async [Symbol.asyncDispose]() {
      await server.close();
      await dir[Symbol.asyncDispose]();
    },
  };
}

Deno.test("updater.enabled=false: no background check at all", async () => {
  await using s = await setting({ enabled: false });
  await using updater = s.start({ firstDelayMs: 0 });
  assertEquals(updater.active, false);
  assertEquals(await updater.checkNow(), undefined);
  assertEquals(s.server.requests, []);
  assert(s.logger.lines.some((l) => l.includes("updater.enabled=false")));
});

Deno.test("no updater.url: the check is off and says so", async () => {
  await using s = await setting({ url: "" });
  await using updater = s.start();
  assertEquals(updater.active, false);
  assert(s.logger.lines.some((l) => l.includes("no update source configured")));
});

Deno.test("without auto_install an available update is only recorded and logged", async () => {
  await using s = await setting({ auto_install: false });
  const before = await snapshot(s.exe);
  await publishRelease({
    server: s.server,
    version: "0.2.0",
    key: s.key,
    binary: fakeBinary("0.2.0"),
  });
  await using updater = s.start();
  const result = await updater.checkNow();
  assertEquals((result as UpdateResult).status, "available");
  assertEquals(s.server.requests.length, 1, "only the manifest");
  await assertUntouched(before, "0.1.0");
  assert(s.logger.lines.some((l) => l.includes("update available: 0.1.0 -> 0.2.0")));
  using state = await openUpdaterState({ stateDir: join(s.dir, "local") });
  assertEquals((await state.status()).last_check?.result, "available");
});

Deno.test("with auto_install the scheduled check installs and hands restarts to systemd-run", async () => {
  await using s = await setting({ auto_install: true });
  const binary = fakeBinary("0.2.0");
  await publishRelease({ server: s.server, version: "0.2.0", key: s.key, binary });
  const done = Promise.withResolvers<UpdateResult | Error>();
  await using _updater = s.start({ firstDelayMs: 0, onResult: done.resolve });
  const result = await done.promise;
  assert(!(result instanceof Error), String(result));
  assertEquals(result.status, "installed");
  assertEquals(await Deno.readFile(s.exe), binary);
  // This process is "inside skywire.service", so it must not restart its own unit itself.
  assertEquals(await s.stub.calls(), []);
  const runs = await s.stub.runCalls();
  assertEquals(runs.length, 1);
  assert(
    runs[0].endsWith(
      `-- ${s.exe} update --restart-only --service skywire --env-file ${
        join(s.dir, "skywire.conf")
      }`,
    ),
    runs[0],
  );
});

Deno.test("a version that was rolled back is not installed again by the background check", async () => {
  await using s = await setting({ auto_install: true });
  const before = await snapshot(s.exe);
  await publishRelease({
    server: s.server,
    version: "0.2.0",
    key: s.key,
    binary: fakeBinary("0.2.0"),
  });
  {
    using state = await openUpdaterState({ stateDir: join(s.dir, "local") });
    await state.addRolledBack("0.2.0", new Date().toISOString());
  }
  await using updater = s.start();
  const result = await updater.checkNow();
  assertEquals((result as UpdateResult).status, "skipped");
  await assertUntouched(before, "0.1.0");
  assertEquals(s.server.requests.length, 1);
});

Deno.test("a failing check is logged with its step and does not stop the updater", async () => {
  await using s = await setting();
  await publishRelease({
    server: s.server,
    version: "0.2.0",
    key: testKey(),
    binary: fakeBinary("0.2.0"),
  });
  await using updater = s.start();
  const first = await updater.checkNow();
  assert(first instanceof Error);
  assert(s.logger.lines.some((l) => l.includes("step=verify-manifest code=unknown-key")));
  await publishRelease({
    server: s.server,
    version: "0.2.0",
    key: s.key,
    binary: fakeBinary("0.2.0"),
  });
  const second = await updater.checkNow();
  assertEquals((second as UpdateResult).status, "available");
});

Deno.test("nextCheckDelay adds up to a tenth of the interval, at most an hour", () => {
  const day = 86_400_000;
  assertEquals(nextCheckDelay(day, () => 0), day);
  assertLess(nextCheckDelay(day, () => 0.999999), day + 3_600_000);
  assert(nextCheckDelay(day, () => 0.999999) > day + 3_500_000);
  assertLess(nextCheckDelay(600_000, () => 0.999999), 660_000);
});
