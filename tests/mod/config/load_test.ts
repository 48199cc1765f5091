import { assertEquals, assertRejects } from "@std/assert";
import { join } from "node:path";
import {
  ConfigError,
  configToJson,
  generateConfig,
  loadNodeConfig,
  resolveLocalPath,
} from "../../../mod/config/mod.ts";
import { tempDir } from "../../_util/temp_dir.ts";

Deno.test("loadNodeConfig resolves a relative local_path against the config's directory", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "skywire-config.json");
  await Deno.writeTextFile(path, configToJson(generateConfig({ localPath: "./state" })));
  // Loaded from elsewhere: the state directory still sits beside the config.
  const loaded = await loadNodeConfig(path);
  assertEquals(loaded.path, path);
  assertEquals(loaded.stateDir, join(dir.path, "state"));
  assertEquals(loaded.config.local_path, loaded.stateDir);
  assertEquals(loaded.warnings, []);
});

Deno.test("loadNodeConfig keeps an absolute local_path; an empty one means ./local", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "c.json");
  await Deno.writeTextFile(path, configToJson(generateConfig({ localPath: "/var/lib/skywire" })));
  assertEquals((await loadNodeConfig(path)).stateDir, "/var/lib/skywire");
  assertEquals(resolveLocalPath(path, ""), join(dir.path, "local"));
});

Deno.test("loadNodeConfig takes relative TLS files from the config's directory", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "skywire-config.json");
  const config = generateConfig({ localPath: "./state" });
  config.hypervisor!.tls_key_file = "/etc/skywire/key.pem";
  await Deno.writeTextFile(path, configToJson(config));
  const loaded = await loadNodeConfig(path);
  // Go's default `./ssl/cert.pem`, relative; an absolute path is kept.
  assertEquals(loaded.config.hypervisor!.tls_cert_file, join(dir.path, "ssl", "cert.pem"));
  assertEquals(loaded.config.hypervisor!.tls_key_file, "/etc/skywire/key.pem");
});

Deno.test("loadNodeConfig names an unreadable path; a bad config is a ConfigError", async () => {
  await using dir = await tempDir();
  const missing = join(dir.path, "missing.json");
  await assertRejects(() => loadNodeConfig(missing), Error, `cannot read config ${missing}`);
  const bad = join(dir.path, "bad.json");
  await Deno.writeTextFile(bad, "{");
  await assertRejects(() => loadNodeConfig(bad), ConfigError, "not valid JSON");
});
