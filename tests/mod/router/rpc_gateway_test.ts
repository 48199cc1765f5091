import { assert, assertEquals, assertRejects } from "@std/assert";
import {
  bytesToHex,
  generateKeyPair,
  hexToBytes,
  keyPairFromSecKey,
  type PubKey,
  SecKey,
} from "../../../mod/cipher/mod.ts";
import { writeAll } from "../../../mod/conn/mod.ts";
import { GobDecoder, GobMessageReader, GobTypeRegistry, RpcServer } from "../../../mod/gob/mod.ts";
import {
  Router,
  routerRpcMethods,
  RouterRpcServer,
  type RouteTransport,
} from "../../../mod/router/mod.ts";
import { AWAIT_SETUP_PORT, ROUTER_RPC_NAME, RouterClient } from "../../../mod/route_setup/mod.ts";
import { type Packet, PacketType, RouteDescriptor, Rule } from "../../../mod/routing/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { tcpPair } from "../../_util/tcp_pair.ts";
import { testNetwork, waitFor } from "../dmsg/_harness.ts";
import { vectors2024 } from "../gob/_vectors.ts";

/** A transport that records what is written to it and never closes. */
class RecordingTransport implements RouteTransport {
  readonly written: Uint8Array[] = [];
  readonly type = "dmsg";
  readonly isClosed = false;
  readonly closed = new Promise<void>(() => {});
  constructor(readonly id: string, readonly remotePk: PubKey) {}
  writePacket(packet: Packet | Uint8Array): Promise<void> {
    this.written.push(packet instanceof Uint8Array ? packet.slice() : packet.payload.slice());
    return Promise.resolve();
  }
}

function transportsOf(list: RecordingTransport[]) {
  const map = new Map(list.map((tp) => [tp.id, tp]));
  return { transport: (id: string) => map.get(id) };
}

// One call's response as sent: every gob message up to and including the reply body.
async function readResponse(reader: GobMessageReader, decoder: GobDecoder): Promise<string> {
  let hex = "", values = 0;
  while (values < 2) {
    const body = await reader.next();
    if (body === null) return hex + "<EOF>";
    const prefix = body.length < 0x80
      ? [body.length]
      : [0xfe, body.length >> 8, body.length & 0xff];
    hex += bytesToHex(Uint8Array.from([...prefix, ...body]));
    if (decoder.acceptMessage(body)) values++;
  }
  return hex;
}

Deno.test("RPCGateway answers Go's captured setup-node calls with Go's bytes, on a real router", async () => {
  const calls = vectors2024.rpc.gateway.capture.calls as Array<Record<string, string>>;
  const keys = keyPairFromSecKey(SecKey.fromHex(vectors2024.keys.responder_sk));
  // The capture's rules name two transports; the edge rules' forward one leads to the initiator.
  const inter = Rule.fromBytes(hexToBytes(JSON.parse(JSON.stringify(calls[1].args))[0]));
  const edgeDesc = RouteDescriptor.fromBytes(
    hexToBytes((calls[2].args as unknown as { Desc: { bytes: string } }).Desc.bytes),
  );
  const edgeForward = Rule.fromBytes(
    hexToBytes((calls[2].args as unknown as { Forward: string }).Forward),
  );
  const tpInter = new RecordingTransport(inter.nextTransportId, generateKeyPair().pk);
  const tpEdge = new RecordingTransport(edgeForward.nextTransportId, edgeDesc.srcPk);
  const router = new Router({
    keyPair: keys,
    transports: transportsOf([tpInter, tpEdge]),
    gcIntervalMs: 0,
    handshakeTimeoutMs: 50,
  });
  const listener = router.listen(3);
  const server = new RpcServer({ registry: new GobTypeRegistry({ firstTypeId: 64 }) });
  server.register(ROUTER_RPC_NAME, routerRpcMethods(router));
  const [client, accepted] = await tcpPair();
  const serving = server.serve(accepted);
  const reader = new GobMessageReader(client), decoder = new GobDecoder();
  try {
    // Calls 0-3; call 4 is the capture's stub refusing a zero source port (a rule of that stub
    // only), and the error texts after it are RpcServer's, checked in tests/mod/gob.
    for (const call of calls.slice(0, 4)) {
      await writeAll(client, hexToBytes(call.request_bytes));
      assertEquals(await readResponse(reader, decoder), call.response_bytes, call.service_method);
    }
    assertEquals(router.stats().rules, 1 + 2, "the intermediary rule and the two edge rules");
    // The destination answered the edge rules with its route group's Handshake (after 50 ms).
    await waitFor("our handshake", () => tpEdge.written.length > 0);
    assertEquals(tpEdge.written[0][0], PacketType.Handshake);
  } finally {
    client.close();
    await serving;
    listener.close();
    await router.close();
  }
});

Deno.test("RouterRpcServer over dmsg: trusted setup nodes only, typed failures, a stream limit", async () => {
  await using net = await testNetwork();
  await net.server();
  const visorKeys = generateKeyPair(), setupKeys = generateKeyPair();
  const visorDmsg = await net.client({ keys: visorKeys });
  const setupDmsg = await net.client({ keys: setupKeys });
  const stranger = await net.client();
  await Promise.all([visorDmsg.ready(), setupDmsg.ready(), stranger.ready()]);
  const router = new Router({ keyPair: visorKeys, transports: transportsOf([]), gcIntervalMs: 0 });
  const logger = captureLogger();
  const rpc = new RouterRpcServer({
    router,
    listener: visorDmsg.listen(AWAIT_SETUP_PORT),
    trusted: [setupKeys.pk],
    maxStreams: 1,
    streamTimeoutMs: 1_500,
    logger,
  });
  try {
    const dial = async (from: typeof setupDmsg) =>
      new RouterClient(await from.dialStream({ pk: visorKeys.pk, port: AWAIT_SETUP_PORT }));
    const client = await dial(setupDmsg);
    assertEquals(await client.reserveIds(3), [1, 2, 3]);
    const rule = Rule.intermediaryForward({
      keepAliveMs: 30_000,
      keyRouteId: 1,
      nextRouteId: 9,
      nextTransportId: "00000000-0000-0000-0000-000000000001",
    });
    await assertRejects(
      () => client.addIntermediaryRules([rule.bytes]),
      Error,
      "failure code 1 (no transport 00000000-0000-0000-0000-000000000001",
    );
    await assertRejects(
      () => client.addIntermediaryRules([Uint8Array.of(1, 2, 3)]),
      Error,
      "failure code 1 (rule is 3 bytes",
    );
    assertEquals(router.stats().rules, 0, "nothing saved from refused calls");

    // A second stream from the setup node is over the limit of 1: closed unread.
    const second = await dial(setupDmsg);
    await assertRejects(() => second.reserveIds(1));
    await second.close();
    // A visor that is not a setup node is never served.
    const strange = await dial(stranger);
    await assertRejects(() => strange.reserveIds(1));
    await strange.close();
    assertEquals(rpc.stats().refused, 2);
    assert(logger.lines.some((l) => l.includes("untrusted setup node")));

    // The stream's life is bounded: the server closes it after streamTimeoutMs.
    await waitFor("the stream to be cut", () => rpc.stats().streams === 0, 5_000);
    await assertRejects(() => client.reserveIds(1));
    await client.close();
  } finally {
    await rpc.close();
    await router.close();
  }
});
