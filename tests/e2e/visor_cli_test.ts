/**
 * `skywire visor -c CONFIG` as a child process against a discovery and dmsg server run by the
 * test on 127.0.0.1: it reaches the network, answers /health over dmsg, writes the booted-OK
 * mark and exits 0 on SIGINT; with an update on trial past its deadline it puts `.prev` back
 * and exits with ROLLBACK_EXIT_CODE.
 */
import { assert, assertEquals } from "@std/assert";
import { generateKeyPair } from "../../mod/cipher/mod.ts";
import { dmsgFetch } from "../../mod/dmsg_http/mod.ts";
import { VERSION } from "../../mod/version/mod.ts";
import { openUpdaterState, ROLLBACK_EXIT_CODE } from "../../services/updater/mod.ts";
import { tempDir } from "../_util/temp_dir.ts";
import { loopbackNetwork, waitFor } from "../mod/dmsg_http/_network.ts";
import { pendingUpdate, writeVisorConfig } from "../services/visor/_config.ts";
import { skywire, SkywireProcess } from "./_skywire.ts";

Deno.test("skywire visor: reaches the network, serves /health, marks booted OK, exits 0 on SIGINT", async () => {
  await using dir = await tempDir();
  await using net = await loopbackNetwork();
  const server = await net.server();
  const keys = generateKeyPair();
  const { path, config } = await writeVisorConfig({
    dir: dir.path,
    discovery: net.discovery.url,
    keys,
    edit: (c) => {
      c.log_level = "info";
      c.dmsg.servers = [{ static: server.pk.hex(), server: { address: server.address } }];
    },
  });
  await using visor = new SkywireProcess(["visor", "-c", path]);
  await visor.line(/booted OK/, 30_000, "stderr");

  const peer = await net.client();
  const response = await dmsgFetch(peer, `dmsg://${keys.pk.hex()}:80/health`);
  const health = await response.json();
  assertEquals([health.role, health.pk], ["visor", keys.pk.hex()]);
  assertEquals(health.sessions.server_pks, [server.pk.hex()]);
  await waitFor("booted-OK mark", async () => {
    using state = await openUpdaterState({ stateDir: config.local_path });
    return (await state.status()).booted_ok?.version === VERSION;
  });

  visor.kill("SIGINT");
  assertEquals(await visor.exit(), 0, visor.stderr.join("\n"));
  assert(visor.stderr.some((line) => line.includes("visor stopped")));
});

Deno.test("skywire visor: an update on trial past its deadline is rolled back (exit 75, .prev restored)", async () => {
  await using dir = await tempDir();
  const { path, config } = await writeVisorConfig({
    dir: dir.path,
    discovery: "http://127.0.0.1:1",
  });
  const update = await pendingUpdate({
    dir: dir.path,
    stateDir: config.local_path,
    firstStartAt: new Date(Date.now() - 10 * 60_000),
    bootTimeoutMs: 120_000,
  });
  const result = await skywire(["visor", "-c", path]);
  assertEquals(result.code, ROLLBACK_EXIT_CODE, result.stderr);
  assertEquals(await Deno.readFile(update.exe), update.previous);
  assertEquals(await Deno.stat(`${update.exe}.prev`).then(() => true, () => false), false);
  assert(result.stderr.includes("rolled back"));
});

Deno.test("skywire visor: a missing config file fails with a one-line reason", async () => {
  const result = await skywire(["visor", "-c", "/nonexistent/skywire-config.json"]);
  assertEquals(result.code, 1);
  assertEquals(result.stderr.trim().split("\n").length, 1);
  assert(result.stderr.includes("cannot read config /nonexistent/skywire-config.json"));
});
