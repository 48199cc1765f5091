/**
 * The real CLI as operators run it: `deno run -A main.ts update|release|install ...` in a child
 * process, against a real local release server, with a stand-in systemctl first on PATH.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { join } from "node:path";
import { tempDir } from "../_util/temp_dir.ts";
import { bytesToHex } from "../../mod/cipher/mod.ts";
import { configToJson, generateConfig } from "../../mod/config/mod.ts";
import { RUNTIME_FLAGS } from "../../mod/launch/mod.ts";
import type { ReleaseKeyPair } from "../../mod/release/mod.ts";
import { startReleaseServer } from "../services/updater/_release_server.ts";
import { MAIN, skywire as runSkywire } from "./_skywire.ts";
import {
  assertUntouched,
  fakeBinary,
  publishRelease,
  snapshot,
  systemctlStub,
  testKey,
  workFiles,
  writeBinary,
} from "../services/updater/_fixtures.ts";
import { freePort } from "../_util/ports.ts";

function skywire(args: string[], options: { cwd?: string; pathEnv?: string } = {}) {
  const env = options.pathEnv ? { PATH: options.pathEnv } : undefined;
  return runSkywire(args, { cwd: options.cwd, env });
}

async function node(key: ReleaseKeyPair, url: string) {
  const dir = await tempDir();
  const exe = join(dir.path, "opt", "skywire");
  await Deno.mkdir(join(dir.path, "opt"));
  await writeBinary(exe, fakeBinary("0.1.0"));
  const envFile = join(dir.path, "skywire.conf");
  await Deno.writeTextFile(envFile, 'RESTART_SERVICES="vpn.service, stopped.service"\n');
  const config = generateConfig({ localPath: join(dir.path, "local") });
  config.updater = {
    ...config.updater,
    url,
    trusted_keys: [bytesToHex(key.publicKey)],
    env_file: envFile,
  };
  const configPath = join(dir.path, "skywire-config.json");
  await Deno.writeTextFile(configPath, configToJson(config));
  const stub = await systemctlStub(dir.path, { active: ["skywire", "vpn.service"] });
  return { dir, exe, configPath, stub, [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose]() };
}

Deno.test("skywire update installs a signed release, restarts units, and --status shows it", async () => {
  await using server = startReleaseServer();
  const key = testKey();
  await using n = await node(key, `${server.url}manifest.json`);
  const binary = fakeBinary("0.2.0", { size: 200_000 });
  await publishRelease({ server, version: "0.2.0", key, binary });
  const before = await snapshot(n.exe);

  const r = await skywire(["update", "-c", n.configPath, "--target", n.exe, "--yes"], {
    pathEnv: n.stub.pathEnv,
  });
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(r.stdout, `installed 0.2.0 over 0.1.0 at ${n.exe}`);
  assertStringIncludes(
    r.stdout,
    "restarted skywire\nrestarted vpn.service\nskipped stopped.service",
  );
  assertMatch(r.stderr, /downloading: 100% /);
  assertEquals(await Deno.readFile(n.exe), binary);
  assertEquals(await Deno.readFile(`${n.exe}.prev`), before.bytes);
  assertEquals(await n.stub.calls(), [
    "is-active skywire",
    "restart skywire",
    "is-active vpn.service",
    "restart vpn.service",
    "is-active stopped.service",
  ]);

  const status = await skywire([
    "update",
    "--status",
    "--json",
    "-c",
    n.configPath,
    "--target",
    n.exe,
  ]);
  assertEquals(status.code, 0, status.stderr);
  const json = JSON.parse(status.stdout);
  assertEquals(json.version, "0.2.0");
  assertEquals(json.previous_kept, true);
  assertEquals(json.pending.to_version, "0.2.0");
  assertEquals(json.last_check.result, "installed");
  assertEquals(json.history[0].event, "installed");
  assertEquals(json.state, join(n.dir.path, "local", "updater.kv"));

  const text = await skywire(["update", "--status", "-c", n.configPath, "--target", n.exe]);
  assertStringIncludes(text.stdout, "pending: 0.1.0 -> 0.2.0");

  // Nothing newer: nothing downloaded, nothing restarted.
  const again = await skywire(["update", "-c", n.configPath, "--target", n.exe, "--yes"], {
    pathEnv: n.stub.pathEnv,
  });
  assertEquals(again.code, 0, again.stderr);
  assertStringIncludes(again.stdout, "up to date (0.2.0)");
  assertEquals((await n.stub.calls()).length, 5);

  // The operator rolls back: .prev goes back and the units are restarted.
  const back = await skywire(["update", "--rollback", "-c", n.configPath, "--target", n.exe], {
    pathEnv: n.stub.pathEnv,
  });
  assertEquals(back.code, 0, back.stderr);
  assertStringIncludes(back.stdout, "rolled back");
  await assertUntouched(before, "0.1.0");
});

Deno.test("skywire update refuses a manifest with a bad signature and leaves the binary alone", async () => {
  await using server = startReleaseServer();
  const key = testKey();
  await using n = await node(key, `${server.url}manifest.json`);
  await publishRelease({
    server,
    version: "0.2.0",
    key,
    binary: fakeBinary("0.2.0"),
    tamper: (text) => text.replace(/"sha256": "[0-9a-f]{64}"/, `"sha256": "${"0".repeat(64)}"`),
  });
  const before = await snapshot(n.exe);
  const r = await skywire(["update", "-c", n.configPath, "--target", n.exe, "--yes"], {
    pathEnv: n.stub.pathEnv,
  });
  assertEquals(r.code, 1);
  assertMatch(
    r.stderr,
    /skywire update: verify-manifest: release manifest signature by trusted key [0-9a-f]{16} does not verify/,
  );
  assertEquals(r.stdout, "");
  await assertUntouched(before, "0.1.0");
  assertEquals(await workFiles(join(n.dir.path, "opt")), []);
  assertEquals(await n.stub.calls(), []);
  assertEquals(server.requests.map((q) => q.path), ["/manifest.json"]);
});

Deno.test("skywire update --check, no --yes without a terminal, and deno run without --target", async () => {
  await using server = startReleaseServer();
  const key = testKey();
  await using n = await node(key, `${server.url}manifest.json`);
  await publishRelease({ server, version: "0.2.0", key, binary: fakeBinary("0.2.0") });
  const before = await snapshot(n.exe);

  const check = await skywire(["update", "--check", "-c", n.configPath, "--target", n.exe]);
  assertEquals(check.code, 0, check.stderr);
  assertStringIncludes(check.stdout, "update available: 0.1.0 -> 0.2.0 (stable)");

  const noYes = await skywire(["update", "-c", n.configPath, "--target", n.exe], {
    pathEnv: n.stub.pathEnv,
  });
  assertEquals(noYes.code, 1);
  assertStringIncludes(noYes.stderr, "not installing without --yes");

  const noTarget = await skywire(["update", "--yes", "-c", n.configPath]);
  assertEquals(noTarget.code, 1);
  assertStringIncludes(
    noTarget.stderr,
    "target: running under 'deno run': refusing to replace the Deno runtime",
  );

  const channel = await skywire([
    "update",
    "--check",
    "--channel",
    "testing",
    "-c",
    n.configPath,
    "--target",
    n.exe,
  ]);
  assertEquals(channel.code, 1);
  assertStringIncludes(channel.stderr, "verify-manifest");
  assertStringIncludes(channel.stderr, `channel "stable", this node follows "testing"`);

  const badChannel = await skywire(["update", "--channel", "nightly", "-c", n.configPath]);
  assertEquals(badChannel.code, 2);
  await assertUntouched(before, "0.1.0");
  assertEquals(await n.stub.calls(), []);
});

Deno.test("release keygen, manifest, sign and verify, then a node updates from the signed file", async () => {
  await using dir = await tempDir();
  const keyPrefix = join(dir.path, "keys", "release");
  await Deno.mkdir(join(dir.path, "keys"));
  const keygen = await skywire(["release", "keygen", "-o", keyPrefix]);
  assertEquals(keygen.code, 0, keygen.stderr);
  assertEquals((await Deno.stat(`${keyPrefix}.key`)).mode! & 0o777, 0o600);
  const secret = JSON.parse(await Deno.readTextFile(`${keyPrefix}.key`)).secret_key;
  assert(!keygen.stdout.includes(secret) && !keygen.stderr.includes(secret), "secret not printed");
  const publicKey = /public_key ([0-9a-f]{64})/.exec(keygen.stdout)![1];
  assertEquals(
    (await skywire(["release", "keygen", "-o", keyPrefix])).code,
    1,
    "never overwrites a key",
  );

  const dist = join(dir.path, "dist");
  await Deno.mkdir(dist);
  const binary = fakeBinary("0.3.0", { size: 100_000 });
  await Deno.writeFile(join(dist, "skywire-x86_64-unknown-linux-gnu"), binary);
  await Deno.writeFile(join(dist, "skywire-aarch64-unknown-linux-gnu"), fakeBinary("0.3.0"));
  const manifest = await skywire([
    "release",
    "manifest",
    "--dist",
    dist,
    "--version",
    "0.3.0",
    "--channel",
    "testing",
  ]);
  assertEquals(manifest.code, 0, manifest.stderr);
  assertMatch(manifest.stderr, /hashing skywire-x86_64-unknown-linux-gnu: 100%/);
  const manifestPath = join(dist, "manifest.json");
  const unsigned = await skywire(["release", "verify", "--key", publicKey, manifestPath]);
  assertEquals(unsigned.code, 1);
  assertStringIncludes(unsigned.stderr, "not signed");

  const sign = await skywire(["release", "sign", "--key", `${keyPrefix}.key`, manifestPath]);
  assertEquals(sign.code, 0, sign.stderr);
  const verify = await skywire([
    "release",
    "verify",
    "--key",
    `${keyPrefix}.pub`,
    "--channel",
    "testing",
    manifestPath,
  ]);
  assertEquals(verify.code, 0, verify.stderr);
  assertMatch(verify.stdout, /0\.3\.0 \(testing, .*\) signed by [0-9a-f]{16}/);
  const untrusted = await skywire(["release", "verify", manifestPath]);
  assertEquals(untrusted.code, 1);
  assertStringIncludes(untrusted.stderr, "does not trust");

  // A node that trusts the key updates from the file, on the testing channel.
  const key = { publicKey: Uint8Array.from(publicKey.match(/../g)!.map((h) => parseInt(h, 16))) };
  await using n = await node(key as ReleaseKeyPair, "");
  const r = await skywire(
    [
      "update",
      "-c",
      n.configPath,
      "--target",
      n.exe,
      "--yes",
      "--from",
      manifestPath,
      "--channel",
      "testing",
      "--no-restart",
    ],
    { pathEnv: n.stub.pathEnv },
  );
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(r.stdout, "installed 0.3.0");
  assertEquals(await Deno.readFile(n.exe), binary);
  assertEquals(await n.stub.calls(), [], "--no-restart");
});

Deno.test("skywire install writes the unit and the env file, and never overwrites the env file", async () => {
  await using dir = await tempDir();
  const unitDir = join(dir.path, "units");
  await Deno.mkdir(unitDir);
  const envFile = join(dir.path, "skywire.conf");
  const args = [
    "install",
    "--unit-dir",
    unitDir,
    "--env-file",
    envFile,
    "--exe",
    "/opt/skywire/skywire",
    "--config",
    "/opt/skywire/skywire-config.json",
  ];

  const dry = await skywire([...args, "--dry-run"]);
  assertEquals(dry.code, 0, dry.stderr);
  assertStringIncludes(dry.stdout, `# ${join(unitDir, "skywire.service")}`);
  assertStringIncludes(
    dry.stdout,
    "ExecStart=/opt/skywire/skywire visor -c /opt/skywire/skywire-config.json",
  );
  assertStringIncludes(dry.stdout, "#RESTART_SERVICES=");
  assertEquals([...Deno.readDirSync(unitDir)].length, 0, "dry run writes nothing");
  assertEquals(await Deno.stat(envFile).then(() => true, () => false), false);

  const real = await skywire(args);
  assertEquals(real.code, 0, real.stderr);
  const unit = await Deno.readTextFile(join(unitDir, "skywire.service"));
  assertMatch(unit, /^Restart=on-failure$/m);
  assertMatch(unit, /^RestartSec=5$/m);
  assertMatch(unit, /^WorkingDirectory=\/opt\/skywire$/m);
  assertStringIncludes(await Deno.readTextFile(envFile), "# RESTART_SERVICES:");

  await Deno.writeTextFile(envFile, "RESTART_SERVICES=mine\n");
  const again = await skywire(args);
  assertEquals(again.code, 0, again.stderr);
  assertStringIncludes(again.stdout, "kept");
  assertEquals(await Deno.readTextFile(envFile), "RESTART_SERVICES=mine\n");
  const dryExisting = await skywire([...args, "--dry-run"]);
  assertStringIncludes(dryExisting.stdout, "(exists; would be left as it is)");

  // Under deno run without --exe the unit runs main.ts (tests/e2e/install_cli_test.ts).
  const noExe = await skywire(["install", "--dry-run", "--unit-dir", unitDir]);
  assertEquals(noExe.code, 0, noExe.stderr);
  assertStringIncludes(
    noExe.stdout,
    `run -A --unstable-kv ${RUNTIME_FLAGS.join(" ")} ${MAIN} visor -c `,
  );
});

Deno.test("skywire update --status with no config creates no state", async () => {
  await using dir = await tempDir();
  const text = await skywire(["update", "--status"], { cwd: dir.path });
  assertEquals(text.code, 0, text.stderr);
  assertStringIncludes(text.stdout, `state ${join(dir.path, "local", "updater.kv")} (none yet)`);
  assertStringIncludes(text.stdout, "last check: never");
  const json = await skywire(["update", "--status", "--json"], { cwd: dir.path });
  assertEquals(json.code, 0, json.stderr);
  assertEquals(JSON.parse(json.stdout).state_exists, false);
  // --rollback under deno run looks for a pending update's binary; it must not create either.
  const rollback = await skywire(["update", "--rollback"], { cwd: dir.path });
  assertEquals(rollback.code, 2);
  assertEquals([...Deno.readDirSync(dir.path)], []);
});

Deno.test("skywire update: a source without a scheme is misuse; an unreachable one names its cause", async () => {
  await using dir = await tempDir();
  const target = join(dir.path, "skywire");
  await writeBinary(target, fakeBinary("0.1.0"));
  const noScheme = await skywire(["update", "--check", "--from", "127.0.0.1:9/m.json"], {
    cwd: dir.path,
  });
  assertEquals(noScheme.code, 2);
  assertStringIncludes(noScheme.stderr, `--from: "127.0.0.1:9/m.json" has no scheme`);

  const url = `http://127.0.0.1:${freePort()}/manifest.json`;
  const down = await skywire(["update", "--check", "--from", url, "--target", target], {
    cwd: dir.path,
  });
  assertEquals(down.code, 1);
  assertEquals(down.stderr.trim(), `skywire update: manifest: connection refused at ${url}`);
});
