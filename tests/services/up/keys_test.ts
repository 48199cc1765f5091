/**
 * `skywire up` keeps its key pairs in a 0600 key file, moves them there from the `up.kv` store
 * of earlier versions, and never makes new keys for a role that has one it cannot read.
 */
import { assert, assertEquals, assertNotEquals, assertRejects } from "@std/assert";
import { join } from "node:path";
import { generateKeyPair } from "../../../mod/cipher/mod.ts";
import { openStore } from "../../../mod/store/mod.ts";
import {
  loadOrCreateKeys,
  UP_KEY_FILE,
  UP_STORE_FILE,
  UpKeysError,
} from "../../../services/up/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { tempDir } from "../../_util/temp_dir.ts";

Deno.test("loadOrCreateKeys keeps one key pair per role in a 0600 key file", async () => {
  await using dir = await tempDir();
  const logger = captureLogger();
  const a = await loadOrCreateKeys(dir.path, ["visor", "dmsg_server"], logger);
  const b = await loadOrCreateKeys(dir.path, ["dmsg_server", "visor"], logger);
  assertEquals(a.visor.pk.hex(), b.visor.pk.hex());
  assertEquals(a.dmsg_server.sk.hex(), b.dmsg_server.sk.hex());
  assertNotEquals(a.visor.pk.hex(), a.dmsg_server.pk.hex());
  const file = join(dir.path, UP_KEY_FILE);
  assertEquals((await Deno.stat(file)).mode! & 0o777, 0o600);
  const body = JSON.parse(await Deno.readTextFile(file));
  assertEquals(body.visor, { pk: a.visor.pk.hex(), sk: a.visor.sk.hex() });
  await assertRejects(() => Deno.lstat(join(dir.path, UP_STORE_FILE)), Deno.errors.NotFound);
});

Deno.test("keys kept in up.kv by an earlier version move into the key file", async () => {
  await using dir = await tempDir();
  const old = { visor: generateKeyPair(), dmsg_server: generateKeyPair() };
  const store = await openStore({ path: join(dir.path, UP_STORE_FILE), logger: captureLogger() });
  await store.kv.set(["keys", "visor"], old.visor.sk.hex());
  await store.kv.set(["keys", "dmsg_server"], old.dmsg_server.sk.hex());
  store.close();
  const logger = captureLogger("info");
  const keys = await loadOrCreateKeys(dir.path, ["dmsg_server", "visor"], logger);
  assertEquals(keys.visor.pk.hex(), old.visor.pk.hex());
  assertEquals(keys.dmsg_server.pk.hex(), old.dmsg_server.pk.hex());
  assert(!logger.lines.some((l) => l.includes("new key pair")), logger.lines.join("\n"));
  assert(logger.lines.some((l) => l.includes("moved the key pairs into the key file")));
  // One place for the secret keys: the store no longer holds them.
  const after = await openStore({ path: join(dir.path, UP_STORE_FILE), logger: captureLogger() });
  try {
    assertEquals((await after.kv.get(["keys", "visor"])).value, null);
  } finally {
    after.close();
  }
  const again = await loadOrCreateKeys(dir.path, ["dmsg_server", "visor"], captureLogger());
  assertEquals(again.visor.sk.hex(), old.visor.sk.hex());
});

Deno.test("a damaged key file stops up; no new keys are made", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, UP_KEY_FILE);
  for (const text of ["{not json", "[]", `{"visor":{"pk":"02","sk":"zz"}}`]) {
    await Deno.writeTextFile(file, text, { mode: 0o600 });
    const error = await assertRejects(
      () => loadOrCreateKeys(dir.path, ["visor"], captureLogger()),
      UpKeysError,
    );
    assert(error.message.includes(file), error.message);
    assertEquals(await Deno.readTextFile(file), text, "the file is left as it was");
  }
  // A key whose pk does not belong to its sk is damage too.
  const a = generateKeyPair(), b = generateKeyPair();
  await Deno.writeTextFile(file, JSON.stringify({ visor: { pk: a.pk.hex(), sk: b.sk.hex() } }));
  await assertRejects(() => loadOrCreateKeys(dir.path, ["visor"], captureLogger()), UpKeysError);
});

Deno.test("a role without a key gets one; the others keep theirs; a wide mode is narrowed", async () => {
  await using dir = await tempDir();
  const first = await loadOrCreateKeys(dir.path, ["visor"], captureLogger());
  const file = join(dir.path, UP_KEY_FILE);
  await Deno.chmod(file, 0o644);
  const logger = captureLogger();
  const both = await loadOrCreateKeys(dir.path, ["visor", "dmsg_server"], logger);
  assertEquals(both.visor.sk.hex(), first.visor.sk.hex());
  assertEquals((await Deno.stat(file)).mode! & 0o777, 0o600);
  await Deno.chmod(file, 0o644);
  await loadOrCreateKeys(dir.path, ["visor", "dmsg_server"], logger);
  assert(logger.lines.some((l) => l.includes("readable by others")));
  assertEquals((await Deno.stat(file)).mode! & 0o777, 0o600);
});
