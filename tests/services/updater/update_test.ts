import { assert, assertEquals, assertMatch, assertRejects } from "@std/assert";
import { join } from "node:path";
import { tempDir } from "../../_util/temp_dir.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { bytesToHex } from "../../../mod/cipher/mod.ts";
import type { ReleaseKeyPair } from "../../../mod/release/mod.ts";
import {
  openUpdaterState,
  resolveUpdateTarget,
  runUpdate,
  UpdateError,
  type UpdateOptions,
} from "../../../services/updater/mod.ts";
import { type ReleaseServer, startReleaseServer } from "./_release_server.ts";
import {
  assertUntouched,
  fakeBinary,
  publishRelease,
  snapshot,
  type SystemctlStub,
  systemctlStub,
  TEST_TARGET,
  testKey,
  workFiles,
  writeBinary,
} from "./_fixtures.ts";

const ASSET = `skywire-${TEST_TARGET}`;

interface Scene extends AsyncDisposable {
  dir: string;
  binDir: string;
  target: string;
  stateDir: string;
  envFile: string;
  server: ReleaseServer;
  stub: SystemctlStub;
  key: ReleaseKeyPair;
  run(extra?: Partial<UpdateOptions>): ReturnType<typeof runUpdate>;
}

async function scene(
  options: { active?: string[]; restartServices?: string; version?: string } = {},
): Promise<Scene> {
  const dir = await tempDir();
  const binDir = join(dir.path, "opt");
  await Deno.mkdir(binDir);
  const target = join(binDir, "skywire");
  const version = options.version ?? "0.1.0";
  await writeBinary(target, fakeBinary(version));
  const stateDir = join(dir.path, "state");
  const envFile = join(dir.path, "skywire.conf");
  if (options.restartServices !== undefined) {
    await Deno.writeTextFile(envFile, `RESTART_SERVICES="${options.restartServices}"\n`);
  }
  const stub = await systemctlStub(dir.path, { active: options.active ?? ["skywire"] });
  const server = startReleaseServer();
  const key = testKey();
  return {
    dir: dir.path,
    binDir,
    target,
    stateDir,
    envFile,
    server,
    stub,
    key,
    run: (extra = {}) =>
      runUpdate({
        source: `${server.url}manifest.json`,
        channel: "stable",
        trustedKeys: [key],
        target: { path: target, version, self: false },
        stateDir,
        install: true,
        bootTimeoutMs: 60_000,
        buildTarget: TEST_TARGET,
        logger: captureLogger(),
        restart: {
          service: "skywire",
          envFile,
          pathEnv: stub.pathEnv,
          selfCgroup: "0::/user.slice/session-1.scope\n",
          logger: captureLogger(),
        },
        ...extra,
      }),
    async [Symbol.asyncDispose]() {
      await server.close();
      await dir[Symbol.asyncDispose]();
    },
  };
}

/** Run `fn`, expect an UpdateError at `step` with `code`, and return it. */
async function expectFailure(
  fn: () => Promise<unknown>,
  step: string,
  code: string,
): Promise<UpdateError> {
  const error = await assertRejects(fn, UpdateError);
  assertEquals([error.step, error.code], [step, code], error.message);
  return error;
}

async function lastCheck(stateDir: string) {
  using state = await openUpdaterState({ stateDir });
  return (await state.status()).last_check;
}

Deno.test("up to date: nothing downloaded, nothing restarted", async () => {
  await using s = await scene();
  await publishRelease({
    server: s.server,
    version: "0.1.0",
    key: s.key,
    binary: fakeBinary("0.1.0"),
  });
  const before = await snapshot(s.target);
  const result = await s.run();
  assertEquals(result.status, "up-to-date");
  assertEquals(s.server.requests.map((r) => r.path), ["/manifest.json"]);
  assertEquals(await s.stub.calls(), []);
  await assertUntouched(before, "0.1.0");
  assertEquals(await workFiles(s.binDir), []);
  assertEquals((await lastCheck(s.stateDir))?.result, "up-to-date");
});

Deno.test("a good update installs, keeps .prev, restarts skywire and the active listed units in order", async () => {
  await using s = await scene({
    active: ["skywire", "vpn-client.service", "proxy"],
    restartServices: "vpn-client.service, idle.service proxy",
  });
  const old = await snapshot(s.target);
  const binary = fakeBinary("0.2.0", { size: 300_000 });
  await publishRelease({ server: s.server, version: "0.2.0", key: s.key, binary });
  const result = await s.run();
  assertEquals(result.status, "installed", result.message);
  assertEquals(await Deno.readFile(s.target), binary);
  assertEquals(await Deno.readFile(`${s.target}.prev`), old.bytes);
  assert(((await Deno.stat(s.target)).mode! & 0o111) !== 0, "new binary is executable");
  assertEquals(await workFiles(s.binDir), []);
  assertEquals(await s.stub.calls(), [
    "is-active skywire",
    "restart skywire",
    "is-active vpn-client.service",
    "restart vpn-client.service",
    "is-active idle.service",
    "is-active proxy",
    "restart proxy",
  ]);
  assertEquals(result.restart?.units.map((u) => `${u.unit}:${u.result}`), [
    "skywire:restarted",
    "vpn-client.service:restarted",
    "idle.service:inactive",
    "proxy:restarted",
  ]);
  using state = await openUpdaterState({ stateDir: s.stateDir });
  const status = await state.status();
  assertEquals(status.pending?.to_version, "0.2.0");
  assertEquals(status.pending?.from_version, "0.1.0");
  assertEquals(status.pending?.exe, s.target);
  assertEquals(status.history[0].event, "installed");
  assertEquals(status.last_check?.result, "installed");
});

Deno.test("check only: reports the update and changes nothing", async () => {
  await using s = await scene();
  const before = await snapshot(s.target);
  await publishRelease({
    server: s.server,
    version: "0.2.0",
    key: s.key,
    binary: fakeBinary("0.2.0"),
  });
  const result = await s.run({ install: false });
  assertEquals(result.status, "available");
  assertEquals(result.release?.version, "0.2.0");
  assertEquals(s.server.requests.length, 1);
  assertEquals(await s.stub.calls(), []);
  await assertUntouched(before, "0.1.0");
  assertEquals((await lastCheck(s.stateDir))?.available_version, "0.2.0");
});

Deno.test("a manifest altered after signing is refused (bad signature)", async () => {
  await using s = await scene();
  const before = await snapshot(s.target);
  await publishRelease({
    server: s.server,
    version: "0.2.0",
    key: s.key,
    binary: fakeBinary("0.2.0"),
    tamper: (text) => text.replace('"version": "0.2.0"', '"version": "0.3.0"'),
  });
  await expectFailure(() => s.run(), "verify-manifest", "bad-signature");
  assertEquals(s.server.requests.length, 1, "no download after a bad signature");
  assertEquals(await s.stub.calls(), []);
  await assertUntouched(before, "0.1.0");
  assertEquals(await workFiles(s.binDir), []);
  const check = await lastCheck(s.stateDir);
  assertEquals([check?.result, check?.step, check?.code], [
    "failed",
    "verify-manifest",
    "bad-signature",
  ]);
});

Deno.test("a manifest signed by an unknown key is refused", async () => {
  await using s = await scene();
  const before = await snapshot(s.target);
  await publishRelease({
    server: s.server,
    version: "0.2.0",
    key: testKey(),
    binary: fakeBinary("0.2.0"),
  });
  const error = await expectFailure(() => s.run(), "verify-manifest", "unknown-key");
  assertMatch(error.message, /updater\.trusted_keys/);
  await assertUntouched(before, "0.1.0");
  assertEquals(await workFiles(s.binDir), []);
});

Deno.test("a release for another channel is refused", async () => {
  await using s = await scene();
  const before = await snapshot(s.target);
  await publishRelease({
    server: s.server,
    version: "0.2.0",
    channel: "testing",
    key: s.key,
    binary: fakeBinary("0.2.0"),
  });
  await expectFailure(() => s.run(), "verify-manifest", "wrong-channel");
  assertEquals(await workFiles(s.binDir), []);
  assertEquals(await s.stub.calls(), []);
  // The same manifest is fine for a node that follows testing.
  const result = await s.run({ channel: "testing", install: false });
  assertEquals(result.status, "available");
  await assertUntouched(before, "0.1.0");
});

Deno.test("a download whose SHA-256 does not match is refused and removed", async () => {
  await using s = await scene();
  const before = await snapshot(s.target);
  await publishRelease({
    server: s.server,
    version: "0.2.0",
    key: s.key,
    binary: fakeBinary("0.2.0"),
    sha256: "00".repeat(32),
  });
  await expectFailure(() => s.run(), "verify", "checksum-mismatch");
  await assertUntouched(before, "0.1.0");
  assertEquals(await workFiles(s.binDir), []);
  assertEquals(await s.stub.calls(), []);
});

Deno.test("a download of the wrong size is refused and removed", async () => {
  for (const delta of [-10, 10]) {
    await using s = await scene();
    const before = await snapshot(s.target);
    const binary = fakeBinary("0.2.0");
    await publishRelease({
      server: s.server,
      version: "0.2.0",
      key: s.key,
      binary,
      size: binary.length + delta,
    });
    await expectFailure(() => s.run(), "verify", "size-mismatch");
    await assertUntouched(before, "0.1.0");
    assertEquals(await workFiles(s.binDir), []);
  }
});

Deno.test("a cut download is resumed with Range and fetches only the remainder", async () => {
  await using s = await scene();
  const before = await snapshot(s.target);
  const binary = fakeBinary("0.2.0", { size: 400_000 });
  await publishRelease({ server: s.server, version: "0.2.0", key: s.key, binary });
  s.server.fault(ASSET, { kind: "cut", afterBytes: 150_000 });
  await expectFailure(() => s.run(), "download", "download-failed");
  await assertUntouched(before, "0.1.0");
  const partials = await workFiles(s.binDir);
  assertEquals(partials.length, 1, "the partial download is kept to resume");
  assertMatch(partials[0], /\.part$/);
  assertEquals((await Deno.stat(join(s.binDir, partials[0]))).size, 150_000);
  assertEquals(await s.stub.calls(), []);

  const result = await s.run();
  assertEquals(result.status, "installed");
  assertEquals(result.download, { resumedFrom: 150_000, fetched: 250_000 });
  const asset = s.server.requests.filter((r) => r.path === `/${ASSET}`);
  assertEquals(asset.map((r) => [r.range, r.status, r.bodyBytes]), [
    [undefined, 200, 150_000],
    ["bytes=150000-", 206, 250_000],
  ]);
  assertEquals(await Deno.readFile(s.target), binary);
  assertEquals(await workFiles(s.binDir), []);
});

Deno.test("the server going down mid-download leaves the old binary running", async () => {
  await using s = await scene();
  const before = await snapshot(s.target);
  const binary = fakeBinary("0.2.0", { size: 300_000 });
  await publishRelease({ server: s.server, version: "0.2.0", key: s.key, binary });
  s.server.fault(ASSET, { kind: "die", afterBytes: 100_000 });
  const error = await expectFailure(() => s.run(), "download", "download-failed");
  assertMatch(error.message, /run again to resume/);
  assert(!s.server.up);
  await assertUntouched(before, "0.1.0");
  assertEquals((await workFiles(s.binDir)).length, 1, "only the resumable partial remains");
  assertEquals(await s.stub.calls(), []);
  // With the server gone, the manifest fetch itself fails at its own step.
  await expectFailure(() => s.run(), "manifest", "fetch-failed");
  await assertUntouched(before, "0.1.0");
});

Deno.test("a new binary that fails --version is not installed", async () => {
  await using s = await scene();
  const before = await snapshot(s.target);
  await publishRelease({
    server: s.server,
    version: "0.2.0",
    key: s.key,
    binary: fakeBinary("0.2.0", { exitCode: 3 }),
  });
  await expectFailure(() => s.run(), "smoke-test", "smoke-test-failed");
  await assertUntouched(before, "0.1.0");
  assertEquals(await workFiles(s.binDir), []);
  assertEquals(await Deno.stat(`${s.target}.prev`).then(() => true, () => false), false);
  assertEquals(await s.stub.calls(), []);
});

Deno.test("a new binary that prints another version is not installed", async () => {
  await using s = await scene();
  const before = await snapshot(s.target);
  await publishRelease({
    server: s.server,
    version: "0.2.0",
    key: s.key,
    binary: fakeBinary("0.2.0", { printVersion: "0.1.9" }),
  });
  const error = await expectFailure(() => s.run(), "smoke-test", "version-mismatch");
  assertMatch(error.message, /0\.1\.9/);
  await assertUntouched(before, "0.1.0");
  assertEquals(await workFiles(s.binDir), []);
});

Deno.test("an older release is refused, and installed with allowDowngrade", async () => {
  await using s = await scene({ version: "0.3.0" });
  const before = await snapshot(s.target);
  const binary = fakeBinary("0.2.0");
  await publishRelease({ server: s.server, version: "0.2.0", key: s.key, binary });
  const refused = await s.run();
  assertEquals(refused.status, "downgrade-refused");
  assertMatch(refused.message, /older than the installed 0\.3\.0/);
  assertEquals(s.server.requests.length, 1);
  await assertUntouched(before, "0.3.0");
  assertEquals(await workFiles(s.binDir), []);
  assertEquals(await s.stub.calls(), []);

  const allowed = await s.run({ allowDowngrade: true });
  assertEquals(allowed.status, "installed");
  assertEquals(await Deno.readFile(s.target), binary);
  assertEquals(await Deno.readFile(`${s.target}.prev`), before.bytes);
});

Deno.test("a manifest from a local file and a resumed file:// download", async () => {
  await using s = await scene({ active: [] });
  const releaseDir = join(s.dir, "release");
  await Deno.mkdir(releaseDir);
  const binary = fakeBinary("0.2.0", { size: 200_000 });
  const manifest = await publishRelease({ dir: releaseDir, version: "0.2.0", key: s.key, binary });
  // A partial download from an earlier run, as the updater names it.
  const sha = JSON.parse(manifest).signed.assets[TEST_TARGET].sha256 as string;
  const part = join(s.binDir, `.skywire.update-0.2.0-${sha.slice(0, 16)}.part`);
  await Deno.writeFile(part, binary.subarray(0, 80_000));
  const result = await s.run({ source: join(releaseDir, "manifest.json") });
  assertEquals(result.status, "installed");
  assertEquals(result.download, { resumedFrom: 80_000, fetched: 120_000 });
  assertEquals(await Deno.readFile(s.target), binary);
  assertEquals(await s.stub.calls(), ["is-active skywire"], "inactive skywire is not restarted");
});

Deno.test("{channel} in the source picks the channel's manifest", async () => {
  await using s = await scene();
  const binary = fakeBinary("0.2.0-rc1");
  const text = await publishRelease({
    version: "0.2.0-rc1",
    channel: "testing",
    key: s.key,
    binary,
  });
  s.server.put("testing/manifest.json", text);
  s.server.put(`testing/${ASSET}`, binary);
  const result = await s.run({
    source: `${s.server.url}{channel}/manifest.json`,
    channel: "testing",
  });
  assertEquals(result.status, "installed");
  assertEquals(s.server.requests.map((r) => r.path), [
    "/testing/manifest.json",
    `/testing/${ASSET}`,
  ]);
});

Deno.test("resolveUpdateTarget asks an explicit target for its version", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "skywire");
  await writeBinary(path, fakeBinary("1.2.3"));
  const target = await resolveUpdateTarget({
    explicit: path,
    execPath: "/usr/bin/deno",
    mainModule: "file:///x/main.ts",
  });
  assertEquals(target, { path: await Deno.realPath(path), version: "1.2.3", self: false });
  const error = await assertRejects(
    () => resolveUpdateTarget({ execPath: "/usr/bin/deno", mainModule: "file:///x/main.ts" }),
    UpdateError,
  );
  assertEquals(error.step, "target");
  assertMatch(error.message, /refusing to replace the Deno runtime/);
});

const DROP_CAPS = [
  "--inh-caps=-all",
  "--bounding-set=-dac_override,-dac_read_search,-fowner",
];

function setprivAvailable(): boolean {
  try {
    return new Deno.Command("setpriv", { args: [...DROP_CAPS, "true"] }).outputSync().success;
  } catch {
    return false;
  }
}

const isRoot = Deno.uid() === 0;
const canDropPrivileges = !isRoot || setprivAvailable();

Deno.test({
  name: "a target directory that is not writable fails at prepare and touches nothing",
  // As root, permission bits do not stop writes; the child runs without CAP_DAC_OVERRIDE.
  ignore: !canDropPrivileges,
  fn: async () => {
    await using s = await scene();
    const before = await snapshot(s.target);
    await publishRelease({
      server: s.server,
      version: "0.2.0",
      key: s.key,
      binary: fakeBinary("0.2.0"),
    });
    await Deno.chmod(s.binDir, 0o555);
    const child = new URL("./_update_child.ts", import.meta.url).pathname;
    const childArgs = JSON.stringify({
      source: `${s.server.url}manifest.json`,
      target: s.target,
      version: "0.1.0",
      stateDir: s.stateDir,
      publicKey: bytesToHex(s.key.publicKey),
      buildTarget: TEST_TARGET,
    });
    const deno = [Deno.execPath(), "run", "-A", child, childArgs];
    const [cmd, ...args] = isRoot ? ["setpriv", ...DROP_CAPS, ...deno] : deno;
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const text = new TextDecoder().decode(out.stdout).trim();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    const outcome = JSON.parse(text);
    assertEquals([outcome.step, outcome.code], ["prepare", "not-writable"], text);
    assertMatch(outcome.message, /cannot write in .*opt/);
    await Deno.chmod(s.binDir, 0o755);
    await assertUntouched(before, "0.1.0");
    assertEquals(await workFiles(s.binDir), []);
    assertEquals(await Deno.stat(`${s.target}.prev`).then(() => true, () => false), false);
  },
});
