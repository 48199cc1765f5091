// The whole route dial over dmsg, as visors do it: dmsg transports (port 45), the router RPC
// on port 136 for mod/route_setup's setup node on port 36, SetupClient on the dialing side.
import { assert, assertEquals, assertRejects } from "@std/assert";
import { generateKeyPair, type KeyPair } from "../../../mod/cipher/mod.ts";
import { readFull, writeAll } from "../../../mod/conn/mod.ts";
import type { DmsgClient } from "../../../mod/dmsg/mod.ts";
import {
  RouteDialer,
  RouteDialError,
  RoutePinger,
  Router,
  RouterRpcServer,
  SetupClient,
} from "../../../mod/router/mod.ts";
import { AWAIT_SETUP_PORT, SETUP_PORT } from "../../../mod/route_setup/mod.ts";
import { DmsgNetwork, TransportManager } from "../../../mod/transport/mod.ts";
import { seededBytes } from "../../_util/prng.ts";
import { type TestNetwork, testNetwork, waitFor } from "../dmsg/_harness.ts";
import { serveTestSetupNode, TestRouteFinder } from "./_setup.ts";
import { routerIdle } from "./_net.ts";

interface DmsgVisor {
  keys: KeyPair;
  dmsg: DmsgClient;
  manager: TransportManager;
  router: Router;
  rpc: RouterRpcServer;
  dialer: RouteDialer;
  close(): Promise<void>;
}

async function dmsgVisor(
  net: TestNetwork,
  setupPk: KeyPair["pk"],
  finder: TestRouteFinder,
): Promise<DmsgVisor> {
  const keys = generateKeyPair();
  const dmsg = await net.client({ keys });
  await dmsg.ready();
  const manager: TransportManager = new TransportManager({
    keyPair: keys,
    networks: [new DmsgNetwork(dmsg)],
    pingIntervalMs: 0,
    onPacket: (packet, tp) => router.handlePacket(packet, tp),
  });
  const router: Router = new Router({
    keyPair: keys,
    transports: manager,
    gcIntervalMs: 0,
    pingIntervalMs: 0,
  });
  await manager.start();
  finder.managers.push(manager);
  const rpc = new RouterRpcServer({
    router,
    listener: dmsg.listen(AWAIT_SETUP_PORT),
    trusted: [setupPk],
  });
  const dialer = new RouteDialer({
    router,
    routeFinder: finder,
    setup: new SetupClient({ dialer: dmsg, setupNodes: [setupPk], timeoutMs: 5_000 }),
    retryMs: 0,
  });
  return {
    keys,
    dmsg,
    manager,
    router,
    rpc,
    dialer,
    async close() {
      await rpc.close();
      await router.close();
      await manager.close();
    },
  };
}

Deno.test("route dial over dmsg: setup node on port 36, router RPC on 136, a relay, a ping", async () => {
  await using net = await testNetwork();
  await net.server();
  const setupKeys = generateKeyPair();
  const setupDmsg = await net.client({ keys: setupKeys });
  await setupDmsg.ready();
  const stopSetup = serveTestSetupNode(setupDmsg);
  const finder = new TestRouteFinder([]);
  const a = await dmsgVisor(net, setupKeys.pk, finder);
  const m = await dmsgVisor(net, setupKeys.pk, finder);
  const b = await dmsgVisor(net, setupKeys.pk, finder);
  try {
    await a.manager.saveTransport(m.keys.pk, "dmsg");
    await m.manager.saveTransport(b.keys.pk, "dmsg");
    await waitFor("transports up", () => b.manager.transports().length === 1);
    const listener = b.router.listen(3);
    const [conn, accepted] = await Promise.all([a.dialer.dial(b.keys.pk, 3), listener.accept()]);
    assertEquals(conn.paths?.forward.length, 2);
    assert(conn.encrypted);
    const data = seededBytes(100_000, 3), got = new Uint8Array(data.length);
    await Promise.all([writeAll(conn, data), readFull(accepted!, got)]);
    assertEquals(got, data);
    conn.close();
    await Promise.all([conn.closed, accepted!.closed]);
    await waitFor("relay rules gone", () => m.router.stats().rules === 0);

    const pinger = new RoutePinger({ router: a.router, dialer: a.dialer });
    const { latenciesMs } = await pinger.ping(m.keys.pk, { tries: 2 });
    assertEquals(latenciesMs.length, 2);
    await pinger.close();
    listener.close();
    for (const v of [a, m, b]) {
      await waitFor("idle router", () => routerIdle(v.router));
      assertEquals(v.rpc.stats().streams, 0);
    }
  } finally {
    for (const v of [a, m, b]) await v.close();
    await stopSetup();
  }
});

Deno.test("SetupClient: no setup node, one that is down, one that never answers", async () => {
  await using net = await testNetwork();
  await net.server();
  const client = await net.client();
  const silent = await net.client();
  await Promise.all([client.ready(), silent.ready()]);
  const route = {
    Desc: new Uint8Array(70),
    KeepAlive: 1n,
    Forward: [],
    Reverse: [],
  };
  const none = new SetupClient({ dialer: client, setupNodes: [] });
  await assertRejects(() => none.dialRouteGroup(route), RouteDialError, "no route setup nodes");
  const down = new SetupClient({ dialer: client, setupNodes: [generateKeyPair().pk] });
  await assertRejects(() => down.dialRouteGroup(route), RouteDialError, "failed to dial");
  // A setup node that accepts the stream and never answers: the call's limit ends it.
  const listener = silent.listen(SETUP_PORT);
  const held: Array<{ close(): void }> = [];
  const accepting = (async () => {
    for await (const stream of listener) held.push(stream);
  })();
  const slow = new SetupClient({ dialer: client, setupNodes: [silent.pk], timeoutMs: 500 });
  const error = await assertRejects(() => slow.dialRouteGroup(route), RouteDialError);
  assert(error.message.includes("timed out"), error.message);
  listener.close();
  for (const stream of held) stream.close();
  await accepting;
});
