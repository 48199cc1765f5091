/**
 * `skywire up` run by an unprivileged user (as a service user runs it; root passes every mode
 * bit) never makes new keys when its old ones cannot be read: an unreadable key file, or an
 * unreadable `up.kv` of an earlier version, stops it with an error naming the file, and
 * nothing in the data directory changes. A readable key file is used as it is.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { join } from "node:path";
import { generateKeyPair } from "../../mod/cipher/mod.ts";
import { openStore } from "../../mod/store/mod.ts";
import { UP_KEY_FILE, UP_STORE_FILE } from "../../services/up/mod.ts";
import { asNobody, handTo, type Unprivileged } from "../_util/as_nobody.ts";
import { captureLogger } from "../_util/capture_logger.ts";
import { tempDir } from "../_util/temp_dir.ts";
import { MAIN, SkywireProcess } from "./_skywire.ts";

const PORTS = ["--discovery-port", "0", "--server-port", "0"];

/** The CLI as one file the unprivileged user can read (the deno cache is root's). */
async function bundle(dir: string): Promise<string> {
  const out = join(dir, "skywire.js");
  const built = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", MAIN, "-o", out],
    stdout: "null",
    stderr: "piped",
  }).output();
  assertEquals(built.code, 0, new TextDecoder().decode(built.stderr));
  await Deno.chmod(dir, 0o755);
  await Deno.chmod(out, 0o644);
  return out;
}

function upAs(user: Unprivileged, script: string, data: string): SkywireProcess {
  return new SkywireProcess(["up", "--data", data, ...PORTS], {
    launcher: [...user.command, "run", "-A", "--unstable-kv", script],
    env: user.env,
  });
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of Deno.readDirSync(dir)) {
    const path = join(dir, e.name);
    const info = Deno.statSync(path);
    out[e.name] = `${info.mode! & 0o777}:${info.size}:${info.mtime?.getTime()}`;
  }
  return out;
}

Deno.test("skywire up as a service user: unreadable keys stop it; readable ones are kept", async () => {
  await using user = await asNobody();
  await using dir = await tempDir();
  const script = await bundle(join(dir.path, "bin"));
  const keys = { visor: generateKeyPair(), dmsg_server: generateKeyPair() };
  const keyFile = JSON.stringify({
    visor: { pk: keys.visor.pk.hex(), sk: keys.visor.sk.hex() },
    dmsg_server: { pk: keys.dmsg_server.pk.hex(), sk: keys.dmsg_server.sk.hex() },
  });

  // 1. The key file is there but mode 000: up stops, naming it, and makes no keys.
  const data = join(dir.path, "data");
  await Deno.mkdir(data, { mode: 0o700 });
  const file = join(data, UP_KEY_FILE);
  await Deno.writeTextFile(file, keyFile, { mode: 0o600 });
  await handTo(user, data);
  await Deno.chmod(file, 0o000);
  const before = snapshot(data);
  {
    await using up = upAs(user, script, data);
    assertEquals(await up.exit(30_000), 1, up.stderr.join("\n"));
    const reason = up.stderr.find((l) => l.startsWith("skywire up: ")) ?? "";
    assertMatch(reason, new RegExp(`cannot read the key file ${file} .*no new keys were made`));
  }
  // The lock file comes and goes; nothing else is created, nothing changes.
  const after = snapshot(data);
  delete after["up.lock"];
  assertEquals(after, before);

  // 2. No key file, but the old store (up.kv) is unreadable: up stops, naming it.
  const old = join(dir.path, "old");
  const store = await openStore({ path: join(old, UP_STORE_FILE), logger: captureLogger() });
  await store.kv.set(["keys", "visor"], keys.visor.sk.hex());
  store.close();
  await handTo(user, old);
  await Deno.chmod(join(old, UP_STORE_FILE), 0o000);
  {
    await using up = upAs(user, script, old);
    assertEquals(await up.exit(30_000), 1, up.stderr.join("\n"));
    const reason = up.stderr.find((l) => l.startsWith("skywire up: ")) ?? "";
    assertMatch(reason, new RegExp(`cannot use store ${join(old, UP_STORE_FILE)}: no read/write`));
  }
  assert(!Deno.readDirSync(old).some((e) => e.name === UP_KEY_FILE), "no key file was made");
  assert(!Deno.readDirSync(old).some((e) => e.name.includes(".corrupt.")), "nothing moved aside");

  // 3. Readable again: the same keys, moved into the key file.
  await Deno.chmod(join(old, UP_STORE_FILE), 0o600);
  {
    await using up = upAs(user, script, old);
    const visor = await up.line(/^\s+visor\s/, 45_000);
    assert(visor.includes(keys.visor.pk.hex()), visor);
    up.kill("SIGTERM");
    assertEquals(await up.exit(), 0, up.stderr.join("\n"));
  }
  const moved = JSON.parse(await Deno.readTextFile(join(old, UP_KEY_FILE)));
  assertEquals(moved.visor.sk, keys.visor.sk.hex());
  assertEquals((await Deno.stat(join(old, UP_KEY_FILE))).uid, user.uid);
});
