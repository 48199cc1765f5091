import { assert, assertEquals, assertRejects } from "@std/assert";
import { generateKeyPair, type KeyPair } from "../../../mod/cipher/mod.ts";
import { writeAll } from "../../../mod/conn/mod.ts";
import {
  decodeTransportPingPayload,
  encodePacket,
  encodeTransportPingPayload,
  PacketReader,
  PacketType,
} from "../../../mod/routing/mod.ts";
import {
  makeEntry,
  ManagedTransport,
  PingTimeoutError,
  TransportClosedError,
  type TransportConn,
  TransportDownError,
} from "../../../mod/transport/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { closeQuietly, readToEnd, type TcpPair, tcpPair } from "./_helpers.ts";
import { eventually } from "./_peers.ts";

/** Two key pairs, lower first. */
function edges(): [KeyPair, KeyPair] {
  const [x, y] = [generateKeyPair(), generateKeyPair()];
  return x.pk.compare(y.pk) < 0 ? [x, y] : [y, x];
}

/** One end of a real TCP pair as a transport connection; `peer` is the other end. */
async function conn(local: KeyPair, remote: KeyPair, initiator: boolean) {
  const pair: TcpPair = await tcpPair();
  const c: TransportConn = {
    type: "stcp",
    initiator,
    localAddr: { pk: local.pk, port: 45 },
    remoteAddr: { pk: remote.pk, port: 49153 },
    read: (p) => pair.client.read(p),
    write: (p) => pair.client.write(p),
    close: () => closeQuietly(pair.client),
  };
  return { conn: c, peer: pair.server, pair };
}

function transport(
  local: KeyPair,
  remote: KeyPair,
  extra: Partial<ConstructorParameters<typeof ManagedTransport>[0]> = {},
) {
  return new ManagedTransport({
    entry: makeEntry(local.pk, remote.pk, "stcp"),
    localPk: local.pk,
    pingIntervalMs: 0,
    ...extra,
  });
}

Deno.test("glare rule: the lower edge's dial wins on both edges; the same dialer's newer wins", async () => {
  const [low, high] = edges();
  const cases: {
    local: KeyPair;
    remote: KeyPair;
    first: boolean; // whether we dialed the first connection
    second: boolean;
    secondWins: boolean;
  }[] = [
    { local: low, remote: high, first: true, second: false, secondWins: false }, // keep own dial
    { local: low, remote: high, first: false, second: true, secondWins: true }, // own dial replaces
    { local: high, remote: low, first: true, second: false, secondWins: true }, // lower's replaces
    { local: high, remote: low, first: false, second: true, secondWins: false }, // discard own dial
    { local: low, remote: high, first: true, second: true, secondWins: true }, // redial
    { local: high, remote: low, first: true, second: true, secondWins: true },
    { local: low, remote: high, first: false, second: false, secondWins: true },
  ];
  for (const c of cases) {
    const tp = transport(c.local, c.remote);
    const one = await conn(c.local, c.remote, c.first);
    const two = await conn(c.local, c.remote, c.second);
    assert(tp.offerConn(one.conn));
    assertEquals(
      tp.offerConn(two.conn),
      c.secondWins,
      JSON.stringify({ ...c, local: 0, remote: 0 }),
    );
    // The loser's connection is closed: its peer end reads the end of the stream.
    await readToEnd(c.secondWins ? one.peer : two.peer);
    assert(tp.isUp);
    await tp.close();
    await one.pair[Symbol.asyncDispose]();
    await two.pair[Symbol.asyncDispose]();
  }
});

Deno.test("writes without a connection or after close fail with typed errors", async () => {
  const [low, high] = edges();
  const tp = transport(low, high);
  await assertRejects(() => tp.writePacket(new Uint8Array(7)), TransportDownError);
  await tp.close();
  await assertRejects(() => tp.writePacket(new Uint8Array(7)), TransportClosedError);
  const late = await conn(low, high, true);
  assert(!tp.offerConn(late.conn), "a closed transport takes no connection");
  await readToEnd(late.peer);
  await late.pair[Symbol.asyncDispose]();
});

Deno.test("a peer that answered pings and then stops is given up after 3 missed pongs", async () => {
  const [low, high] = edges();
  const tp = transport(low, high, { pingIntervalMs: 40 });
  const { conn: c, peer, pair } = await conn(low, high, true);
  tp.offerConn(c);
  // The peer answers the first ping only, like a visor that then hangs.
  const reader = new PacketReader(peer);
  const first = await reader.next();
  assertEquals(first?.type, PacketType.TransportPing);
  const ts = decodeTransportPingPayload(first!.payload);
  await writeAll(
    peer,
    encodePacket({
      type: PacketType.TransportPong,
      routeId: 0,
      payload: encodeTransportPingPayload(ts),
    }),
  );
  await eventually(() => tp.latency()?.samples === 1, "first pong measured");
  await tp.closed; // three more pings unanswered: the connection is dropped, the transport closes
  assert(tp.isClosed);
  await pair[Symbol.asyncDispose]();
});

Deno.test("a peer that never answers pings (a Go 2024 visor) keeps its connection, pings stop", async () => {
  const [low, high] = edges();
  const tp = transport(low, high, { pingIntervalMs: 30 });
  const { conn: c, peer, pair } = await conn(low, high, false);
  tp.offerConn(c);
  const reader = new PacketReader(peer);
  let pings = 0;
  const counting = (async () => {
    while ((await reader.next())?.type === PacketType.TransportPing) pings++;
  })().catch(() => {}); // ends when the test closes the connection
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert(tp.isUp && !tp.isClosed);
  // Three unanswered periodic pings (each waits one interval), then no more.
  assert(pings >= 3 && pings <= 5, `${pings} pings`);
  const before = pings;
  await new Promise((resolve) => setTimeout(resolve, 150));
  assertEquals(pings, before);
  await assertRejects(() => tp.ping(50), PingTimeoutError);
  await tp.close();
  await pair[Symbol.asyncDispose]();
  await counting;
});

Deno.test("malformed pings are dropped, handler errors logged, other packets delivered in order", async () => {
  const [low, high] = edges();
  const logger = captureLogger("debug");
  const seen: number[] = [];
  const tp = transport(low, high, {
    logger,
    onPacket: (packet) => {
      seen.push(packet.routeId);
      if (packet.routeId === 2) throw new Error("handler broke");
    },
  });
  const { conn: c, peer, pair } = await conn(low, high, true);
  tp.offerConn(c);
  const frames = [
    encodePacket({ type: PacketType.TransportPing, routeId: 0, payload: Uint8Array.of(1, 2) }),
    encodePacket({ type: PacketType.Data, routeId: 1, payload: Uint8Array.of(1) }),
    encodePacket({ type: PacketType.Data, routeId: 2, payload: Uint8Array.of(2) }),
    encodePacket({ type: 200, routeId: 3, payload: new Uint8Array(0) }),
    // A TransportPing on a route is not ours to answer: it goes to the handler.
    encodePacket({ type: PacketType.TransportPing, routeId: 4, payload: new Uint8Array(8) }),
  ];
  await writeAll(peer, new Uint8Array(frames.flatMap((frame) => [...frame])));
  await eventually(() => seen.length === 4, "packets delivered");
  assertEquals(seen, [1, 2, 3, 4]);
  assert(logger.lines.some((line) => line.includes("handler broke")));
  assert(logger.lines.some((line) => line.includes("malformed transport ping")));
  assertEquals(tp.counters().recvPackets, 5);
  await tp.close();
  await pair[Symbol.asyncDispose]();
});
