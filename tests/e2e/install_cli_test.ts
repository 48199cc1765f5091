/**
 * `skywire install --dry-run` under `deno run` prints a unit whose ExecStart is the command
 * line that runs this very node: the Deno runtime running main.ts with `-A --unstable-kv` and
 * the runtime flags the tasks use (not a skywire binary that does not exist). Run as the unit would run it, in its
 * WorkingDirectory, that line starts the visor, which reaches the network and writes its
 * booted-OK mark.
 */
import { assertEquals } from "@std/assert";
import { dirname, join } from "node:path";
import { generateKeyPair } from "../../mod/cipher/mod.ts";
import { RUNTIME_FLAGS } from "../../mod/launch/mod.ts";
import { tempDir } from "../_util/temp_dir.ts";
import { loopbackNetwork } from "../mod/dmsg_http/_network.ts";
import { writeVisorConfig } from "../services/visor/_config.ts";
import { MAIN, skywire, SkywireProcess } from "./_skywire.ts";

function directive(unit: string, name: string): string {
  const line = unit.split("\n").find((l) => l.startsWith(`${name}=`));
  if (line === undefined) throw new Error(`no ${name}= in:\n${unit}`);
  return line.slice(name.length + 1);
}

Deno.test("skywire install --dry-run under deno run: the unit's ExecStart runs the node", async () => {
  await using dir = await tempDir();
  await using net = await loopbackNetwork();
  const server = await net.server();
  const { path } = await writeVisorConfig({
    dir: dir.path,
    discovery: net.discovery.url,
    keys: generateKeyPair(),
    edit: (c) => {
      c.log_level = "info";
      c.dmsg.servers = [{ static: server.pk.hex(), server: { address: server.address } }];
    },
  });
  const dry = await skywire([
    "install",
    "--dry-run",
    "--config",
    path,
    "--unit-dir",
    join(dir.path, "units"),
    "--env-file",
    join(dir.path, "skywire.conf"),
  ]);
  assertEquals(dry.code, 0, dry.stderr);
  const unit = dry.stdout;
  assertEquals(directive(unit, "WorkingDirectory"), dirname(path));
  const words = directive(unit, "ExecStart").split(" ");
  assertEquals(words, [
    ...[Deno.execPath(), "run", "-A", "--unstable-kv", ...RUNTIME_FLAGS],
    ...[MAIN, "visor", "-c", path],
  ]);

  // What systemd would do: run ExecStart in WorkingDirectory.
  await using node = new SkywireProcess([], { launcher: words, cwd: dirname(path) });
  await node.line(/booted OK/, 30_000, "stderr");
  node.kill("SIGTERM");
  assertEquals(await node.exit(), 0, node.stderr.join("\n"));
});
