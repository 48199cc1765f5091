/**
 * `startUp` in this process: a whole private network on 127.0.0.1 whose visor and dmsg server
 * answer /health over dmsg; keys survive a restart; everything is released on close (Deno's
 * sanitizers check).
 */
import { assert, assertEquals, assertMatch, assertRejects } from "@std/assert";
import { join } from "node:path";
import { generateKeyPair, PubKey } from "../../../mod/cipher/mod.ts";
import { generateConfig } from "../../../mod/config/mod.ts";
import { TransportDiscoveryClient } from "../../../mod/transport/mod.ts";
import { startVisor, type Visor } from "../../../services/visor/mod.ts";
import { DmsgClient } from "../../../mod/dmsg/mod.ts";
import { dmsgFetch } from "../../../mod/dmsg_http/mod.ts";
import { startUp, UP_STORE_PREFIXES } from "../../../services/up/mod.ts";
import { tempDir } from "../../_util/temp_dir.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { createLogger } from "../../../mod/log/mod.ts";
import { DirLockedError, openStore } from "../../../mod/store/mod.ts";

const TUNING = { updateDebounceMs: 50, reconnectBaseMs: 100 };
/** Every service on a free port (the defaults may be taken on a shared machine). */
const NO_PORTS = {
  discoveryPort: 0,
  serverPort: 0,
  transportDiscoveryPort: 0,
  addressResolverPort: 0,
  routeFinderPort: 0,
  cliPort: 0,
  exitCliPort: 0,
  socksPort: 0,
  uiPort: 0,
};

async function fetchHealth(discovery: string, pk: string) {
  const keys = generateKeyPair();
  const client = new DmsgClient({ pk: keys.pk, sk: keys.sk, discovery, clientType: "" });
  try {
    await client.start();
    const response = await dmsgFetch(client, `dmsg://${pk}:80/health`);
    return await response.json();
  } finally {
    await client.close({ deleteEntry: true });
  }
}

Deno.test("startUp runs discovery, server and visor; both answer /health; keys and the UI certificate survive a restart", async () => {
  await using dir = await tempDir();
  const data = join(dir.path, "up");
  const logger = captureLogger("info");
  const options = { dataDir: data, ...NO_PORTS, logger, dmsgTuning: TUNING, uiTls: true };

  const first = await startUp(options);
  const { info } = first;
  try {
    // --ui-tls: the printed address is https, with the self-signed certificate's fingerprint.
    assertMatch(info.ui, /^https:\/\/127\.0\.0\.1:\d+$/);
    assertMatch(info.ui_cert_sha256 ?? "", /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const visorHealth = await fetchHealth(info.discovery, info.visor.pk);
    assertEquals(visorHealth.role, "visor");
    assertEquals(visorHealth.sessions.server_pks, [info.dmsg_server.pk]);
    const serverHealth = await fetchHealth(info.discovery, info.dmsg_server.pk);
    assertEquals(serverHealth.role, "dmsg_server");
    assertEquals(serverHealth.pk, info.dmsg_server.pk);
    assertEquals(serverHealth.available_sessions, 2048 - serverHealth.sessions.count);

    // A second network on the same directory is refused, naming the first.
    const locked = await assertRejects(() => startUp(options), DirLockedError);
    assertEquals(locked.holder?.pid, Deno.pid);
    assertEquals(locked.holder?.details?.discovery, info.discovery);
    assert(locked.message.includes(`pid ${Deno.pid}`), locked.message);
    assert(locked.message.includes(`dmsg server ${info.dmsg_server.address}`), locked.message);
  } finally {
    await first.close();
  }
  // The whole network kept its records in one store, the visor's: the services and the exit
  // visor each under their prefix, nothing in files of their own.
  for (
    const name of [
      "services",
      "dmsg-discovery",
      "transport-discovery",
      "address-resolver",
      "exit-visor/visor",
    ]
  ) {
    await assertRejects(() => Deno.stat(join(data, `${name}.kv`)), Deno.errors.NotFound);
  }
  const entries = await openStore({ path: join(data, "visor", "visor.kv"), logger });
  try {
    const parts = new Set<string>();
    for await (const e of entries.kv.list({ prefix: [] })) {
      parts.add(e.key[0] === "up" ? e.key.slice(0, 3).join("/") : String(e.key[0]));
    }
    assertEquals([...parts].sort(), [
      "up/exit_visor/visor",
      "up/services/address_resolver",
      "up/services/dmsg_discovery",
      "up/services/transport_discovery",
      "visor",
    ]);
    // Shutdown deleted the network's own entries (also the throw-away clients' above).
    const left = [];
    const prefix = [...UP_STORE_PREFIXES.services, "dmsg_discovery", "entry"];
    for await (const e of entries.kv.list({ prefix })) left.push(e.key);
    assertEquals(left, []);
  } finally {
    entries.close();
  }

  const second = await startUp(options);
  try {
    assertEquals(second.info.visor.pk, info.visor.pk);
    assertEquals(second.info.dmsg_server.pk, info.dmsg_server.pk);
    // The certificate made at the first start is served again, not made anew.
    assertEquals(second.info.ui_cert_sha256, info.ui_cert_sha256);
    assertEquals((await fetchHealth(second.info.discovery, info.visor.pk)).pk, info.visor.pk);
  } finally {
    await second.close();
  }
});

Deno.test("a start aborted half-way closes what it had started", async () => {
  await using dir = await tempDir();
  const controller = new AbortController();
  // Abort once the dmsg server is up: the discovery and the server must be closed again.
  const logger = createLogger({
    level: "info",
    sink: (line) => {
      if (line.includes("dmsg server listening")) controller.abort(new Error("stop"));
    },
  });
  const error = await startUp({
    dataDir: join(dir.path, "up"),
    ...NO_PORTS,
    logger,
    signal: controller.signal,
    dmsgTuning: TUNING,
  }).catch((e) => e);
  assertEquals(error.message, "stop");
  // The aborted start let go of the data directory's lock.
  const again = await startUp({
    dataDir: join(dir.path, "up"),
    ...NO_PORTS,
    logger: createLogger({ level: "error" }),
    dmsgTuning: TUNING,
  });
  await again.close();
});

Deno.test("a visor pointed at up's services makes dmsg and stcpr transports to up's visor, registered in up's discovery", async () => {
  await using dir = await tempDir();
  const up = await startUp({
    dataDir: join(dir.path, "up"),
    ...NO_PORTS,
    logger: captureLogger("warn"),
    dmsgTuning: TUNING,
  });
  let visor: Visor | undefined;
  try {
    const { info } = up;
    assertEquals(up.visor.transports.discovery?.url, info.transport_discovery);
    assertEquals(up.visor.transports.resolver?.url, info.address_resolver);
    assert(info.try_transports.endsWith(`cli visor tp ls --rpc ${info.visor.cli_addr}`));
    const keys = generateKeyPair();
    const config = generateConfig({
      keys,
      localPath: join(dir.path, "joiner"),
      services: {
        dmsgDiscovery: info.discovery,
        transportDiscovery: info.transport_discovery,
        addressResolver: info.address_resolver,
      },
    });
    config.cli_addr = "";
    config.updater = { ...config.updater, enabled: false };
    visor = await startVisor({
      config,
      pk: keys.pk,
      sk: keys.sk,
      logger: captureLogger("warn"),
      dmsgTuning: TUNING,
      transportTuning: { stcprHostname: "127.0.0.1", pingIntervalMs: 0 },
    });
    await visor.ready(AbortSignal.timeout(10_000));
    const upPk = PubKey.fromHex(info.visor.pk);
    const reader = new TransportDiscoveryClient({ url: info.transport_discovery, keys });
    for (const type of ["dmsg", "stcpr"]) {
      const tp = await visor.transports.manager.saveTransport(upPk, type);
      assertEquals(up.visor.transports.manager.transport(tp.id)?.isUp, true);
      assertEquals((await reader.getById(tp.id))?.type, type);
      assert((await tp.ping()) >= 0);
    }
    // up's route finder reads up's transport discovery: routes over the two transports.
    const edges = `${keys.pk.hex()}:${info.visor.pk}`;
    const res = await fetch(`${info.route_finder}/routes`, {
      method: "POST",
      body: JSON.stringify({ Edges: [edges], Opts: { MinHops: 0, MaxHops: 50 } }),
    });
    const routes = await res.json();
    assertEquals(res.status, 200, JSON.stringify(routes));
    assertEquals(routes[edges].length, 1);
    assertEquals(routes[edges][0][0].To, info.visor.pk);
  } finally {
    await visor?.close();
    await up.close();
  }
});

Deno.test("up's dmsg server is the setup node, and up's visor is configured with it and the route finder", async () => {
  await using dir = await tempDir();
  const up = await startUp({
    dataDir: join(dir.path, "up"),
    ...NO_PORTS,
    logger: captureLogger("warn"),
    dmsgTuning: TUNING,
  });
  try {
    const { info } = up;
    assertEquals(info.setup_node, info.dmsg_server.pk);
    assertMatch(info.route_finder, /^http:\/\/127\.0\.0\.1:\d+$/);
    assertEquals(up.visorConfig.routing.route_finder, info.route_finder);
    assertEquals(up.visorConfig.routing.route_setup_nodes, [info.setup_node]);
    const health = await fetch(`${info.route_finder}/health`);
    assertEquals(health.status, 200);
    await health.body?.cancel();
    // The setup node answers on dmsg port 36 of the server's key.
    const keys = generateKeyPair();
    const client = new DmsgClient({
      pk: keys.pk,
      sk: keys.sk,
      discovery: info.discovery,
      clientType: "",
    });
    try {
      await client.start();
      const stream = await client.dialStream({ pk: PubKey.fromHex(info.setup_node), port: 36 });
      stream.close();
    } finally {
      await client.close({ deleteEntry: true });
    }
  } finally {
    await up.close();
  }
});
