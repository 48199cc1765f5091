import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { join } from "node:path";
import { runCommandLine } from "../../../mod/cli/mod.ts";
import { configToJson, generateConfig } from "../../../mod/config/mod.ts";
import { writeSelfSigned } from "../../../mod/tls/mod.ts";
import { rootCommand } from "../../../services/cli/mod.ts";
import { tempDir } from "../../_util/temp_dir.ts";

async function skywire(...args: string[]) {
  const out: string[] = [], err: string[] = [];
  const code = await runCommandLine(rootCommand(), args, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

Deno.test("hv cert: none yet; --force makes one (0600 key); shown again; --force replaces it", async () => {
  await using dir = await tempDir();
  const local = ["cli", "visor", "hv", "cert", "--local-path", dir.path];
  const none = await skywire(...local);
  assertEquals(none.code, 1);
  assertStringIncludes(none.err, "no certificate yet");

  const made = await skywire(...local, "--force", "--json");
  assertEquals(made.code, 0, made.err);
  const first = JSON.parse(made.out);
  assertEquals(first.cert, join(dir.path, "tls", "cert.pem"));
  assertEquals(first.self_signed, true);
  assertMatch(first.sha256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assertEquals((await Deno.stat(first.key)).mode! & 0o777, 0o600);

  const shown = await skywire(...local);
  assertEquals(shown.code, 0);
  assertStringIncludes(shown.out, `sha256  ${first.sha256}`);
  assertStringIncludes(shown.out, "(self-signed)");

  const again = JSON.parse((await skywire(...local, "--force", "--json")).out);
  assert(again.sha256 !== first.sha256, "a new certificate");

  // Half a pair is named, not replaced silently.
  await Deno.remove(first.key);
  const half = await skywire(...local);
  assertEquals(half.code, 1);
  assertStringIncludes(half.err, first.key);
});

Deno.test("hv cert reads the config: configured files are shown, and --force leaves them alone", async () => {
  await using dir = await tempDir();
  const mine = await writeSelfSigned({ dir: join(dir.path, "ssl"), hosts: ["localhost"] });
  const config = generateConfig({ localPath: "./local" });
  config.hypervisor!.enable_tls = true;
  config.hypervisor!.tls_cert_file = "./ssl/cert.pem";
  config.hypervisor!.tls_key_file = "./ssl/key.pem";
  const path = join(dir.path, "skywire-config.json");
  await Deno.writeTextFile(path, configToJson(config));

  const shown = await skywire("cli", "visor", "hv", "cert", "-c", path, "--json");
  assertEquals(shown.code, 0, shown.err);
  assertEquals(JSON.parse(shown.out), {
    cert: mine.certFile,
    key: mine.keyFile,
    sha256: mine.fingerprint,
    not_after: mine.notAfter!.toISOString(),
    self_signed: false,
  });
  const forced = await skywire("cli", "visor", "hv", "cert", "-c", path, "--force");
  assertEquals(forced.code, 1);
  assertStringIncludes(forced.err, "--force only replaces the self-signed pair");
  assertEquals(await Deno.readTextFile(mine.certFile), mine.cert);
});
