import { assert, assertEquals, assertRejects } from "@std/assert";
import { bytesToHex, generateKeyPair, keyPairFromSecKey, SecKey } from "../../../mod/cipher/mod.ts";
import { concatBytes } from "../../../mod/conn/mod.ts";
import { DiscoveryClient, type DmsgClient, type DmsgServer } from "../../../mod/dmsg/mod.ts";
import { RpcClient, RpcError, RpcInvalidRequest } from "../../../mod/gob/mod.ts";
import {
  CASCADE_UNSUPPORTED,
  dialRouteGroup,
  SETUP_PORT,
  SETUP_RPC_NAME,
  type SetupNode,
} from "../../../mod/route_setup/mod.ts";
import { RouteDescriptor, type routingGob } from "../../../mod/routing/mod.ts";
import { vectors2024 } from "../gob/_vectors.ts";
import { type TestNetwork, testNetwork, waitFor } from "../dmsg/_harness.ts";
import { type DmsgTestRouter, serverSetupNode, serveTestRouter } from "./_harness.ts";
import { goSetup, keys, routeAlong, routeFromVector } from "./_routes.ts";
import { freePort } from "../../_util/ports.ts";

async function clientOn(net: TestNetwork, server: DmsgServer, sk?: string) {
  const entry = await new DiscoveryClient({ url: net.url }).getEntry(server.pk);
  const client = await net.client({
    servers: [entry],
    keys: sk ? keyPairFromSecKey(SecKey.fromHex(sk)) : undefined,
  });
  await client.ready();
  return client;
}

/** A dmsg network of one server with a setup node, and `n` visors with test routers. */
async function setupNetwork(n: number, options: Parameters<typeof serverSetupNode>[1] = {}) {
  const net = await testNetwork();
  const server = await net.server();
  const node = serverSetupNode(server, options);
  const visors: DmsgClient[] = [];
  const routers: DmsgTestRouter[] = [];
  for (let i = 0; i < n; i++) {
    const client = await clientOn(net, server);
    visors.push(client);
    routers.push(serveTestRouter(client, { firstRouteId: 100 * (i + 1) }));
  }
  return {
    net,
    server,
    node,
    visors,
    routers,
    async [Symbol.asyncDispose]() {
      await node.close();
      await Promise.all(routers.map((r) => r.close()));
      await net[Symbol.asyncDispose]();
    },
  };
}

function request(from: DmsgClient, server: DmsgServer, route: routingGob.BidirectionalRoute) {
  return from.dialStream({ pk: server.pk, port: SETUP_PORT }).then((s) => dialRouteGroup(s, route));
}

function assertIdle(node: SetupNode): void {
  const stats = node.stats();
  assertEquals([stats.slots, stats.running, stats.timers], [0, 0, 0]);
}

Deno.test("setup node in a dmsg server: a 1-hop route, edge rules to both ends", async () => {
  await using t = await setupNetwork(2);
  const [a, b] = t.visors;
  const route = routeAlong([a.pk, b.pk]);
  const rules = await request(a, t.server, route);
  const desc = RouteDescriptor.fromBytes(route.Desc);
  assert(RouteDescriptor.fromBytes(rules.Desc).equals(desc.invert()));
  assertEquals(t.routers[1].edges.length, 1);
  assert(RouteDescriptor.fromBytes(t.routers[1].edges[0].Desc).equals(desc));
  // Each edge reserved its two ids and holds nothing else pending.
  assertEquals(t.routers[1].table.stats().rules, 2);
  assertEquals(t.routers[0].table.stats().pendingReservations, 2);
  await waitFor("the node to settle", () => t.node.stats().connections === 0);
  assertIdle(t.node);
  assertEquals(t.node.stats().succeeded, 1);
});

Deno.test("setup node: a 3-hop route through two intermediaries", async () => {
  await using t = await setupNetwork(4);
  const [a, b, c, d] = t.visors;
  const rules = await request(a, t.server, routeAlong([a.pk, b.pk, c.pk, d.pk]));
  assertEquals(rules.Forward.length, 120);
  for (const router of [t.routers[1], t.routers[2]]) {
    assertEquals(router.intermediary.map((r) => r.length), [2]);
    assertEquals(router.table.stats().rules, 2);
  }
  assertEquals(t.routers[3].edges.length, 1);
});

Deno.test("setup node: the bytes sent to each visor are those of Go's setup node", async () => {
  await using net = await testNetwork();
  const server = await net.server();
  const node = serverSetupNode(server);
  const k = vectors2024.keys;
  const visors = goSetup.hop_visor_captures;
  const routers: Record<string, DmsgTestRouter> = {};
  for (const name of ["initiator", "hop", "responder"]) {
    const client = await clientOn(net, server, k[`${name}_sk`]);
    routers[name] = serveTestRouter(client, { firstRouteId: Number(visors[name].first_route_id) });
  }
  try {
    const call = goSetup.visor_capture.calls[0];
    const rules = await request(routers.initiator.client, server, routeFromVector(call.args));
    assertEquals(bytesToHex(rules.Forward), call.reply.Forward);
    for (const name of ["initiator", "hop", "responder"]) {
      await waitFor(`${name}'s connection`, () => routers[name].received.length === 1);
      assertEquals(
        bytesToHex(concatBytes(routers[name].received[0])),
        visors[name].setup_node_to_visor,
        name,
      );
    }
  } finally {
    await node.close();
    await Promise.all(Object.values(routers).map((r) => r.close()));
  }
});

Deno.test("setup node: a visor on a peer server is reached through the mesh", async () => {
  await using net = await testNetwork();
  const s1Addr = `127.0.0.1:${freePort()}`, s2Addr = `127.0.0.1:${freePort()}`;
  const key1 = generateKeyPair(), key2 = generateKeyPair();
  const s1 = await net.server({
    keys: key1,
    addr: s1Addr,
    peers: [{ pk: key2.pk, address: s2Addr }],
    reconnectBaseMs: 50,
  });
  const s2 = await net.server({
    keys: key2,
    addr: s2Addr,
    peers: [{ pk: key1.pk, address: s1Addr }],
    reconnectBaseMs: 50,
  });
  await waitFor(
    "the peer link",
    () => s1.stats().peerLinksOut === 1 && s2.stats().peerLinksOut === 1,
  );
  const node = serverSetupNode(s1);
  const a = await clientOn(net, s1), b = await clientOn(net, s2);
  const ra = serveTestRouter(a), rb = serveTestRouter(b);
  try {
    await request(a, s1, routeAlong([a.pk, b.pk]));
    assertEquals(rb.edges.length, 1);
  } finally {
    await node.close();
    await ra.close();
    await rb.close();
  }
});

Deno.test("setup node: a hop that never answers fails after its timeout; the slot comes back", async () => {
  await using t = await setupNetwork(3, { hopTimeoutMs: 300 });
  const [a, b, c] = t.visors;
  t.routers[1].mode = "silent";
  const started = performance.now();
  const error = await assertRejects(
    () => request(a, t.server, routeAlong([a.pk, b.pk, c.pk])),
    RpcError,
    "no answer within 300 ms",
  );
  assert(error.message.includes(b.pk.hex()), error.message);
  assert(performance.now() - started < 5_000);
  await waitFor("the node to settle", () => t.node.stats().connections === 0);
  assertIdle(t.node);
  assertEquals(t.node.stats().failed, 1);
  // The node serves the next request as before.
  t.routers[1].mode = "ok";
  await request(a, t.server, routeAlong([a.pk, b.pk, c.pk]));
});

Deno.test("setup node: a visor with no session fails the dial at once, naming it", async () => {
  await using t = await setupNetwork(1);
  const [offline] = keys(1);
  const error = await assertRejects(
    () => request(t.visors[0], t.server, routeAlong([t.visors[0].pk, offline])),
    RpcError,
    `dial ${offline.hex()}@136`,
  );
  assert(/dmsg error 30[67]/.test(error.message), error.message);
  await waitFor("the node to settle", () => t.node.stats().connections === 0);
  assertIdle(t.node);
});

Deno.test("setup node: a refusing visor fails the set-up with its reason", async () => {
  await using t = await setupNetwork(2);
  const [a, b] = t.visors;
  t.routers[1].mode = "refuse";
  await assertRejects(
    () => request(a, t.server, routeAlong([a.pk, b.pk])),
    RpcError,
    "test router refuses ReserveIDs",
  );
});

Deno.test("setup node: at most maxConcurrent set-ups at once; the rest wait their turn", async () => {
  await using t = await setupNetwork(2, { maxConcurrent: 2, hopTimeoutMs: 400 });
  const [a, b] = t.visors;
  t.routers[1].mode = "silent";
  let peak = 0;
  const sampler = setInterval(() => peak = Math.max(peak, t.node.stats().running), 5);
  try {
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => request(a, t.server, routeAlong([a.pk, b.pk]))),
    );
    assertEquals(results.map((r) => r.status), Array(5).fill("rejected"));
  } finally {
    clearInterval(sampler);
  }
  assertEquals(peak, 2);
  await waitFor("the node to settle", () => t.node.stats().connections === 0);
  assertIdle(t.node);
  assertEquals(t.node.stats().failed, 5);
});

Deno.test("setup node: an idle connection is closed and gives its slot back", async () => {
  await using t = await setupNetwork(1, { idleTimeoutMs: 200, maxConcurrent: 1 });
  const stream = await t.visors[0].dialStream({ pk: t.server.pk, port: SETUP_PORT });
  await waitFor("the slot taken", () => t.node.stats().slots === 1);
  assertEquals(await stream.read(new Uint8Array(1)), null);
  await waitFor("the slot back", () => t.node.stats().slots === 0);
  stream.close();
});

Deno.test("setup node: cascade calls get a clear refusal, unknown ones Go's text", async () => {
  await using t = await setupNetwork(1);
  const stream = await t.visors[0].dialStream({ pk: t.server.pk, port: SETUP_PORT });
  const rpc = new RpcClient(stream);
  try {
    for (const method of ["CascadeSignReserve", "CascadeSignInstall", "SignTransportQuery"]) {
      await assertRejects(
        () =>
          rpc.call(`${SETUP_RPC_NAME}.${method}`, {
            args: {},
            argsType: RpcInvalidRequest,
            replyType: RpcInvalidRequest,
          }),
        RpcError,
        CASCADE_UNSUPPORTED,
      );
    }
    await assertRejects(
      () =>
        rpc.call(`${SETUP_RPC_NAME}.Capabilities`, {
          args: {},
          argsType: RpcInvalidRequest,
          replyType: RpcInvalidRequest,
        }),
      RpcError,
      "rpc: can't find method SetupRPCGateway.Capabilities",
    );
  } finally {
    await rpc.close();
  }
});

Deno.test("setup node: close() abandons a running set-up and leaves nothing behind", async () => {
  await using t = await setupNetwork(2, { hopTimeoutMs: 60_000 });
  const [a, b] = t.visors;
  t.routers[1].mode = "silent";
  const pending = request(a, t.server, routeAlong([a.pk, b.pk]));
  await waitFor("the set-up running", () => t.node.stats().running === 1);
  await t.node.close();
  await assertRejects(() => pending, RpcError);
  const stats = t.node.stats();
  assertEquals([stats.slots, stats.running, stats.connections, stats.timers], [0, 0, 0, 0]);
});

Deno.test("setup node: 200 set-ups, 10 at a time, leave no stream, port, timer or slot behind", async () => {
  // What is checked is what is left behind, not speed: the hop and request limits are set far
  // above what a set-up takes, so a machine that is busy elsewhere cannot fail one on time.
  await using t = await setupNetwork(4, { hopTimeoutMs: 60_000, requestTimeoutMs: 120_000 });
  const [a, b, c, d] = t.visors;
  const route = (i: number) => routeAlong([a.pk, b.pk, c.pk, d.pk], [49152 + i, 3]);
  await request(a, t.server, route(0));
  await waitFor("the first to settle", () => t.node.stats().connections === 0);
  // The baseline is taken once the server has published its four sessions: until then its
  // entry update is still pending (a debounce timer), and on a busy machine that can outlast
  // the first set-up.
  const disc = new DiscoveryClient({ url: t.net.url });
  await waitFor(
    "the server's entry to count its sessions",
    async () =>
      (await disc.getEntry(t.server.pk)).server?.availableSessions ===
        BigInt(t.server.availableSessions()),
  );
  const counters = () => {
    const s = t.server.stats();
    return [s.streams, s.ports, s.handshakes, s.timers, s.relays, s.piping, s.yamuxStreams];
  };
  const before = counters();
  for (let round = 0; round < 20; round++) {
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => request(a, t.server, route(1 + round * 10 + i))),
    );
  }
  await waitFor("the node to settle", () => t.node.stats().connections === 0, 60_000);
  assertIdle(t.node);
  assertEquals(t.node.stats().succeeded, 201);
  await waitFor("the server's counters back", () => counters().join() === before.join(), 60_000)
    .catch(() => assertEquals(counters(), before, "the server's counters back")); // which differ
  // Every visor got exactly its rules: the intermediaries two per route, the far end two.
  for (const router of [t.routers[1], t.routers[2]]) assertEquals(router.table.stats().rules, 402);
  assertEquals(t.routers[3].table.stats().rules, 402);
});
