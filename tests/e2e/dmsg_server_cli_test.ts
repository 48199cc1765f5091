import { assert, assertEquals, assertMatch, assertRejects } from "@std/assert";
import { generateKeyPair, PubKey } from "../../mod/cipher/mod.ts";
import { dialSession, DiscoveryClient, DiscoveryError, DmsgError } from "../../mod/dmsg/mod.ts";
import { RpcError } from "../../mod/gob/mod.ts";
import { dialRouteGroup } from "../../mod/route_setup/mod.ts";
import { RouteDescriptor } from "../../mod/routing/mod.ts";
import { dmsgFetch } from "../../mod/dmsg_http/mod.ts";
import { tempDir } from "../_util/temp_dir.ts";
import { testNetwork } from "../mod/dmsg/_harness.ts";
import { skywire, SkywireProcess } from "./_skywire.ts";
import { freePort } from "../_util/ports.ts";

const GO_FIELDS = [
  "public_key",
  "secret_key",
  "discovery",
  "public_address",
  "local_address",
  "health_endpoint_address",
  "log_level",
  "update_interval",
  "max_sessions",
  // Ours: the server's limits.
  "max_sessions_per_ip",
  "limit_loopback",
  "max_handshakes",
  "max_handshakes_per_ip",
  "max_streams_per_session",
  "max_relayed_streams",
  "max_pending_streams_per_session",
  "max_pending_streams",
  "max_buffered_bytes_per_session",
  "peers",
  "enable_route_setup",
];

function run(args: string[]) {
  return skywire(["dmsg", "server", ...args]);
}

/** A `skywire dmsg server start` child process, once it has printed its key and address. */
async function startServer(args: string[]) {
  const child = new SkywireProcess(["dmsg", "server", "start", ...args]);
  const [pk, address] = (await child.line(/^[0-9a-f]{66} /)).trim().split(" ");
  return {
    pk,
    address,
    /** Send `signal`, wait for the exit and return its code and the log. */
    stop: (signal: Deno.Signal) =>
      child.stop(signal).then(({ code, stderr }) => ({ code, log: stderr })),
  };
}

Deno.test("skywire dmsg server config gen writes Go's fields, mode 0600, secret not echoed", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/dmsg-server.json`;
  const out = await run(["config", "gen", "-o", path]);
  assertEquals(out.code, 0, out.stderr);
  assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
  const config = JSON.parse(await Deno.readTextFile(path));
  assertEquals(Object.keys(config), GO_FIELDS);
  assertEquals(config.max_sessions, 2048);
  assertEquals(config.peers, []);
  assertEquals(config.enable_route_setup, false);
  PubKey.fromHex(config.public_key);
  assert(!(out.stdout + out.stderr).includes(config.secret_key));
});

Deno.test("skywire dmsg server start serves, prints its key and address, stops on SIGTERM", async () => {
  await using net = await testNetwork();
  await using dir = await tempDir();
  const path = `${dir.path}/dmsg-server.json`;
  assertEquals((await run(["config", "gen", "-o", path])).code, 0);
  const config = JSON.parse(await Deno.readTextFile(path));
  const { pk, address, stop } = await startServer([
    "-c",
    path,
    "--addr",
    "127.0.0.1:0",
    "--public-address",
    "127.0.0.1:1",
    "--discovery",
    net.url,
    "--max-sessions",
    "7",
  ]);
  assertEquals(pk, config.public_key);
  assertMatch(address, /^127\.0\.0\.1:\d+$/);
  const disc = new DiscoveryClient({ url: net.url });
  const entry = await disc.getEntry(PubKey.fromHex(pk));
  assertEquals(entry.server?.address, "127.0.0.1:1");
  assertEquals(entry.server?.availableSessions, 7n);
  const { code, log } = await stop("SIGTERM");
  assertEquals(code, 0, log);
  assertMatch(log, /shutting down signal=SIGTERM/);
  assert(!log.includes(config.secret_key));
  // Go's server removes its entry on the way out; so does ours when stopped by a signal.
  await assertRejects(() => disc.getEntry(PubKey.fromHex(pk)), DiscoveryError);
});

Deno.test("skywire dmsg server start: --max-sessions-per-ip and --limit-loopback cap this host too", async () => {
  await using net = await testNetwork();
  const { pk, address, stop } = await startServer([
    "--addr",
    "127.0.0.1:0",
    "--discovery",
    net.url,
    "--max-sessions-per-ip",
    "1",
    "--limit-loopback",
  ]);
  const serverPk = PubKey.fromHex(pk);
  const dial = () => dialSession({ address, serverPk, keyPair: generateKeyPair() });
  const first = await dial();
  const second = await dial();
  try {
    await second.closed;
    assert(!first.isClosed);
  } finally {
    await Promise.all([first.close(), second.close()]);
  }
  const { code, log } = await stop("SIGTERM");
  assertEquals(code, 0, log);
  assertMatch(log, /sessions per address reached, session refused.*limit=1/);
});

Deno.test("skywire dmsg server start refuses bad flags and configs with exit 2", async () => {
  await using dir = await tempDir();
  const bad = `${dir.path}/bad.json`;
  await Deno.writeTextFile(bad, `{"secret_key": "zz"}`);
  for (
    const args of [
      ["start", "--peers", "nonsense"],
      ["start", "--addr", "nowhere"],
      ["start", "--max-sessions", "-1"],
      ["start", "--max-sessions-per-ip", "-1"],
      ["start", "--max-handshakes", "0"],
      ["start", "--max-buffered-bytes-per-session", "4096"],
      ["start", "--max-relayed-streams", "many"],
      ["start", "-c", bad],
      ["start", "-c", `${dir.path}/missing.json`],
      ["start", "--discovery", "127.0.0.1:9090"],
      ["start", "--public-address", "nonsense"],
    ]
  ) {
    const out = await run(args);
    assertEquals(out.code, 2, args.join(" "));
  }
});

Deno.test("skywire dmsg server start publishes the port it listens on (--addr, port 0 too)", async () => {
  await using net = await testNetwork();
  const disc = new DiscoveryClient({ url: net.url });
  const port = freePort();
  for (const addr of [`127.0.0.1:${port}`, "127.0.0.1:0"]) {
    // No config: config gen's defaults, whose public address is on the default port 8081.
    const server = await startServer(["--addr", addr, "--discovery", net.url]);
    if (!addr.endsWith(":0")) assertEquals(server.address, addr);
    const entry = await disc.getEntry(PubKey.fromHex(server.pk));
    assertEquals(entry.server?.address, server.address, addr);
    assertEquals((await server.stop("SIGTERM")).code, 0);
  }
});

Deno.test("skywire dmsg server start on a taken address names it", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const addr = `127.0.0.1:${(taken.addr as Deno.NetAddr).port}`;
  const out = await run(["start", "--addr", addr, "--discovery", "http://127.0.0.1:9"]);
  assertEquals(out.code, 1);
  assertEquals(
    out.stderr.trim().split("\n").at(-1),
    `skywire dmsg server start: cannot listen on ${addr}: address already in use`,
  );
});

Deno.test("skywire dmsg server start answers /health on dmsg port 80 of its own key", async () => {
  await using net = await testNetwork();
  await using dir = await tempDir();
  const path = `${dir.path}/dmsg-server.json`;
  assertEquals((await run(["config", "gen", "-o", path])).code, 0);
  const port = freePort();
  const { pk, stop } = await startServer([
    "-c",
    path,
    "--addr",
    `127.0.0.1:${port}`,
    "--public-address",
    `127.0.0.1:${port}`,
    "--discovery",
    net.url,
  ]);
  const client = await net.client({ clientType: "" });
  await client.ready();
  const response = await dmsgFetch(client, `dmsg://${pk}:80/health`);
  assertEquals(response.status, 200);
  const health = await response.json();
  assertEquals(health.pk, pk);
  assertEquals(health.sessions.client_pks, [client.pk.hex()]);
  assertEquals(health.available_sessions, 2047);
  const { code, log } = await stop("SIGTERM");
  assertEquals(code, 0, log);
});

Deno.test("skywire dmsg server start --enable-route-setup answers DialRouteGroup on port 36", async () => {
  await using net = await testNetwork();
  const port = freePort();
  const args = ["--addr", `127.0.0.1:${port}`, "--discovery", net.url];
  const client = await net.client({ clientType: "" });
  for (const enabled of [false, true]) {
    const { pk, stop } = await startServer(enabled ? [...args, "--enable-route-setup"] : args);
    const server = PubKey.fromHex(pk);
    if (!enabled) {
      await assertRejects(
        () => client.dialStream({ pk: server, port: 36 }),
        DmsgError,
        "no associated listener",
      );
    } else {
      // A real call: the route names a visor with no session, so the node's dial of it fails.
      const stream = await client.dialStream({ pk: server, port: 36 });
      const other = generateKeyPair().pk;
      const desc = RouteDescriptor.create({
        srcPk: client.pk,
        dstPk: other,
        srcPort: 1,
        dstPort: 2,
      });
      const hop = (from: PubKey, to: PubKey) => ({ TpID: crypto.randomUUID(), From: from, To: to });
      const route = {
        Desc: desc.bytes,
        KeepAlive: 1_000_000_000n,
        Forward: [hop(client.pk, other)],
        Reverse: [hop(other, client.pk)],
      };
      await assertRejects(() => dialRouteGroup(stream, route), RpcError, `dial ${other.hex()}@136`);
      // Go 2024 visors dial only client entries: the server's entry names itself as delegated.
      const entry = await new DiscoveryClient({ url: net.url }).getEntry(server);
      assertEquals(entry.client?.delegatedServers?.map((k) => k.hex()), [pk]);
    }
    const { code, log } = await stop("SIGTERM");
    assertEquals(code, 0, log);
    if (enabled) assertMatch(log, /route setup enabled/);
  }
});
