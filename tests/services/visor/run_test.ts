/**
 * `runVisor` in this process against an in-test discovery and dmsg server on 127.0.0.1: it
 * reaches the network, answers /health over dmsg, writes the booted-OK mark and releases
 * every resource on shutdown (Deno's sanitizers check the last part). The updater's boot gate
 * is driven with real state files.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { join } from "node:path";
import { generateKeyPair } from "../../../mod/cipher/mod.ts";
import { dmsgFetch } from "../../../mod/dmsg_http/mod.ts";
import { openUpdaterState, ROLLBACK_EXIT_CODE } from "../../../services/updater/mod.ts";
import { type Visor, VISOR_STORE_FILE } from "../../../services/visor/mod.ts";
import { runVisor } from "../../../services/visor/run.ts";
import { openStore } from "../../../mod/store/mod.ts";
import { generateSelfSigned } from "../../../mod/tls/mod.ts";
import { tempDir } from "../../_util/temp_dir.ts";
import { loopbackNetwork } from "../../mod/dmsg_http/_network.ts";
import { pendingUpdate, writeVisorConfig } from "./_config.ts";
import { VERSION } from "../../../mod/version/mod.ts";

const TUNING = { updateDebounceMs: 50, reconnectBaseMs: 100 };

Deno.test("runVisor reaches the network, serves /health, marks booted OK and stops cleanly", async () => {
  await using dir = await tempDir();
  await using net = await loopbackNetwork();
  await net.server();
  const keys = generateKeyPair();
  const { path, config } = await writeVisorConfig({
    dir: dir.path,
    discovery: net.discovery.url,
    keys,
    edit: (c) => {
      c.unknown_section = { x: 1 };
    },
  });
  const lines: string[] = [];
  const stop = new AbortController();
  const { promise: healthy, resolve: onHealthy } = Promise.withResolvers<Visor>();
  const running = runVisor({
    configPath: path,
    signal: stop.signal,
    logSink: (line) => lines.push(line),
    onHealthy,
    dmsgTuning: TUNING,
  });
  const visor = await healthy;
  assertEquals(visor.pk.hex(), keys.pk.hex());

  const peer = await net.client();
  const response = await dmsgFetch(peer, `dmsg://${keys.pk.hex()}:80/health`);
  const health = await response.json();
  assertEquals(health.role, "visor");
  assertEquals(health.pk, keys.pk.hex());
  assertEquals(health.sessions.count, 1);

  {
    using state = await openUpdaterState({ stateDir: config.local_path });
    assertEquals((await state.status()).booted_ok?.version, VERSION);
  }
  stop.abort();
  assertEquals(await running, 0);
  assert(lines.some((line) => /WARN .*unknown config field "unknown_section"/.test(line)));
  // Said once, at start: what the config asks for that this build does not run.
  const notRun = lines.filter((line) => line.includes("does not run these config sections"));
  assertEquals(notRun.length, 1, lines.join("\n"));
  assertMatch(
    notRun[0],
    /sections="dmsgpty, transport.transport_setup, transport.log_store, uptime_tracker, launcher apps/,
  );

  // The visor's own store recorded the start.
  const store = await openStore({ path: join(config.local_path, VISOR_STORE_FILE) });
  assertEquals((await store.kv.get(["visor", "starts"])).value, 1);
  store.close();
});

Deno.test("runVisor exits with ROLLBACK_EXIT_CODE when a pending update is past its deadline", async () => {
  await using dir = await tempDir();
  const { config, path } = await writeVisorConfig({
    dir: dir.path,
    discovery: "http://127.0.0.1:1",
  });
  const update = await pendingUpdate({
    dir: dir.path,
    stateDir: config.local_path,
    firstStartAt: new Date(Date.now() - 60_000),
    bootTimeoutMs: 1_000,
  });
  const code = await runVisor({
    configPath: path,
    signal: new AbortController().signal,
    logSink: () => {},
  });
  assertEquals(code, ROLLBACK_EXIT_CODE);
  assertEquals(await Deno.readFile(update.exe), update.previous);
  using state = await openUpdaterState({ stateDir: config.local_path });
  const status = await state.status();
  assertEquals(status.pending, undefined);
  assertEquals(status.rolled_back_versions, [VERSION]);
});

Deno.test("a version on trial that never becomes reachable is rolled back at its deadline", async () => {
  await using dir = await tempDir();
  // Nothing listens at the discovery: the visor cannot become healthy.
  const { config, path } = await writeVisorConfig({
    dir: dir.path,
    discovery: "http://127.0.0.1:1",
  });
  const update = await pendingUpdate({
    dir: dir.path,
    stateDir: config.local_path,
    bootTimeoutMs: 300,
  });
  const lines: string[] = [];
  const code = await runVisor({
    configPath: path,
    signal: new AbortController().signal,
    logSink: (line) => lines.push(line),
    dmsgTuning: TUNING,
  });
  assertEquals(code, ROLLBACK_EXIT_CODE);
  assertEquals(await Deno.readFile(update.exe), update.previous);
  assert(lines.some((line) => /rolled back .* no "booted OK" mark within/.test(line)));
});

Deno.test("a config error is reported with the field, before anything starts", async () => {
  await using dir = await tempDir();
  const { path } = await writeVisorConfig({
    dir: dir.path,
    discovery: "http://127.0.0.1:1",
    edit: (c) => {
      (c.dmsg as Record<string, unknown>).sessions_count = "two";
    },
  });
  const error = await runVisor({ configPath: path, signal: new AbortController().signal })
    .catch((e) => e);
  assertMatch(String(error), /dmsg\.sessions_count/);
});

Deno.test("a cli_addr that is not loopback is a config error naming it, before anything starts", async () => {
  await using dir = await tempDir();
  const { path, config } = await writeVisorConfig({
    dir: dir.path,
    discovery: "http://127.0.0.1:1",
    edit: (c) => {
      c.cli_addr = "0.0.0.0:3435";
    },
  });
  const error = await runVisor({ configPath: path, signal: new AbortController().signal })
    .catch((e) => e);
  assertEquals(error.name, "ConfigError");
  assertMatch(error.message, /^config field "cli_addr": "0\.0\.0\.0:3435" is not a loopback/);
  assertEquals(await Deno.stat(config.local_path).then(() => true, () => false), false);
});

Deno.test("a relative local_path is taken relative to the config file, as skywire update does", async () => {
  await using dir = await tempDir();
  const { path } = await writeVisorConfig({
    dir: dir.path,
    discovery: "http://127.0.0.1:1",
    edit: (c) => {
      c.local_path = "relative-state";
    },
  });
  // The test runs elsewhere: only a path resolved against the config's directory finds this.
  await pendingUpdate({
    dir: dir.path,
    stateDir: join(dir.path, "relative-state"),
    firstStartAt: new Date(Date.now() - 60_000),
    bootTimeoutMs: 1_000,
  });
  const code = await runVisor({
    configPath: path,
    signal: new AbortController().signal,
    logSink: () => {},
  });
  assertEquals(code, ROLLBACK_EXIT_CODE);
});

Deno.test("enable_tls: a bad certificate file leaves the UI out naming it; without files a self-signed pair is made and served", async () => {
  await using dir = await tempDir();
  await using net = await loopbackNetwork();
  await net.server();
  const badCert = join(dir.path, "bad-cert.pem");
  await Deno.writeTextFile(badCert, "not a certificate\n");
  const run = async (hypervisor: Record<string, unknown>) => {
    const { path, config } = await writeVisorConfig({
      dir: dir.path,
      discovery: net.discovery.url,
      edit: (c) => Object.assign(c.hypervisor!, hypervisor),
    });
    const lines: string[] = [];
    const stop = new AbortController();
    const { promise: healthy, resolve: onHealthy } = Promise.withResolvers<Visor>();
    let ui: string | undefined;
    // The UI starts after the node: served (onUi) or left out (an error line).
    const { promise: uiSettled, resolve: settleUi } = Promise.withResolvers<void>();
    const running = runVisor({
      configPath: path,
      signal: stop.signal,
      logSink: (line) => {
        lines.push(line);
        if (line.includes("the web UI is not served")) settleUi();
      },
      onHealthy,
      onUi: (server) => {
        ui = server.url;
        settleUi();
      },
      dmsgTuning: TUNING,
    });
    await healthy;
    await uiSettled;
    return { lines, config, ui, stop: async () => (stop.abort(), await running) };
  };

  // The configured key exists, the certificate is not one: an error naming it, the node runs.
  const first = await run({ enable_tls: true, tls_cert_file: badCert, tls_key_file: badCert });
  assertEquals(first.ui, undefined);
  assertEquals(await first.stop(), 0);
  assert(
    first.lines.some((l) =>
      /ERROR .*the web UI is not served.*bad-cert\.pem.*no PEM certificate/.test(l)
    ),
    first.lines.join("\n"),
  );

  // Go's default relative paths, which do not exist: a self-signed pair in local_path/tls.
  const second = await run({ enable_tls: true });
  try {
    assertMatch(second.ui ?? "", /^https:\/\/127\.0\.0\.1:\d+$/);
    const certFile = join(second.config.local_path, "tls", "cert.pem");
    using client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(certFile)] });
    const response = await fetch(`${second.ui}/api/ping`, { client });
    await response.body?.cancel();
    assertEquals(response.status, 200);
    assert(second.lines.some((l) => /WARN .*made a self-signed certificate.*sha256=/.test(l)));
  } finally {
    assertEquals(await second.stop(), 0);
  }

  // An expired certificate is still served (the operator may be replacing it) and named.
  const old = await generateSelfSigned({
    hosts: ["127.0.0.1"],
    notBefore: new Date("2020-01-01T00:00:00Z"),
    validDays: 1,
  });
  await Deno.writeTextFile(join(dir.path, "old-cert.pem"), old.cert);
  await Deno.writeTextFile(join(dir.path, "old-key.pem"), old.key);
  const third = await run({
    enable_tls: true,
    tls_cert_file: join(dir.path, "old-cert.pem"),
    tls_key_file: join(dir.path, "old-key.pem"),
  });
  assertMatch(third.ui ?? "", /^https:/);
  assertEquals(await third.stop(), 0);
  assert(
    third.lines.some((l) => /WARN .*certificate expired on 2020-01-02T00:00:00.000Z/.test(l)),
    third.lines.join("\n"),
  );
});
