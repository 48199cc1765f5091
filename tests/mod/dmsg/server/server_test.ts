import { assert, assertEquals, assertRejects } from "@std/assert";
import { generateKeyPair, PubKey } from "../../../../mod/cipher/mod.ts";
import {
  dialSession,
  DiscoveryClient,
  DmsgError,
  type DmsgSession,
} from "../../../../mod/dmsg/mod.ts";
import { captureLogger } from "../../../_util/capture_logger.ts";
import { echo, roundTrip, testNetwork, waitFor } from "../_harness.ts";
import { craftRequest, rawSession, sendRequest } from "./_raw.ts";

const text = new TextEncoder();

Deno.test("server refuses forged, foreign, null-key and zero-port requests; the session survives", async () => {
  await using net = await testNetwork();
  const server = await net.server();
  const b = await net.client();
  await b.ready();
  const listener = b.listen(7);
  const served = (async () => {
    for await (const stream of listener) echo(stream);
  })();
  await using raw = await rawSession(server);
  const other = generateKeyPair();
  const refusals = [
    craftRequest(raw.keys, b.pk, {}, other), // bad signature
    craftRequest(other, b.pk), // source key is not the session's
    craftRequest(raw.keys, PubKey.NULL), // null destination
    craftRequest(raw.keys, b.pk, { SrcAddr: { PK: PubKey.NULL, Port: 1 } }), // null source
    craftRequest(raw.keys, b.pk, { SrcAddr: { PK: raw.keys.pk, Port: 0 } }), // zero ports
    craftRequest(raw.keys, b.pk, { DstAddr: { PK: b.pk, Port: 0 } }),
    craftRequest(raw.keys, generateKeyPair().pk), // nobody there
    new Uint8Array(70), // not an object
  ];
  for (const signed of refusals) assertEquals(await sendRequest(raw, signed), null);
  // An object whose prefix claims 64 KiB is refused at once (no buffer, no waiting for it):
  // the stream ends with a FIN, not with the handshake timeout's reset.
  const oversize = await raw.session.open();
  await oversize.write(new Uint8Array([0xff, 0xff, 1, 2, 3]));
  assertEquals(await oversize.read(new Uint8Array(16)), null);
  oversize.close();
  assertEquals(server.sessionCount(), 2);
  // The same session still dials properly.
  const stream = await raw.endpoint.dial(raw.session, { pk: b.pk, port: 7 });
  const data = text.encode("still here");
  assertEquals(await roundTrip(stream, data), data);
  stream.close();
  listener.close();
  await served;
  await waitFor("relays drained", () => server.stats().relays === 0);
});

Deno.test("server enforces maxSessions and publishes availableSessions", async () => {
  await using net = await testNetwork();
  const server = await net.server({ maxSessions: 2 });
  const disc = new DiscoveryClient({ url: net.url });
  const available = async () => (await disc.getEntry(server.pk)).server?.availableSessions;
  assertEquals(await available(), 2n);
  await using one = await rawSession(server);
  await using two = await rawSession(server);
  await waitFor("both sessions", () => server.sessionCount() === 2);
  await waitFor("entry says 0", async () => (await available()) === 0n);
  // Refused once the handshake shows who it is: the server closes the session at once.
  await using refused = await rawSession(server);
  await refused.session.closed;
  assertEquals(server.sessionCount(), 2);
  // A client that already has a session may still replace it when the server is full.
  await using again = await rawSession(server, two.keys);
  await two.session.closed;
  await waitFor("replaced", () => server.sessionCount() === 2 && !again.session.isClosed);
  await one.session.close();
  await waitFor("entry says 1", async () => (await available()) === 1n);
  await using three = await rawSession(server);
  await waitFor("three in", () => server.sessionCount() === 2);
  assert(!again.session.isClosed && !three.session.isClosed);
});

Deno.test("server: a newer session for the same key replaces the older one", async () => {
  await using net = await testNetwork();
  const server = await net.server();
  const keys = generateKeyPair();
  await using first = await rawSession(server, keys);
  await waitFor("first in", () => server.sessionCount() === 1);
  await using second = await rawSession(server, keys);
  await first.session.closed;
  assertEquals(server.sessionCount(), 1);
  assert(!second.session.isClosed);
  // Relaying to that key uses the newer session.
  const a = await net.client();
  await a.ready();
  second.endpoint.listen(7);
  const serving = (async () => {
    const incoming = await second.session.accept();
    if (incoming) await second.endpoint.serveIncoming(second.session, incoming);
  })();
  const stream = await a.dialStream({ pk: keys.pk, port: 7 });
  stream.close();
  await serving;
  await second.session.close();
  await waitFor("gone", () => server.sessionCount() === 1);
});

Deno.test("server answers streams to its own key through server.listen", async () => {
  await using net = await testNetwork();
  const server = await net.server();
  const a = await net.client();
  await a.ready();
  const health = server.listen(80);
  const served = (async () => {
    for await (const stream of health) echo(stream);
  })();
  const stream = await a.dialStream({ pk: server.pk, port: 80 });
  assertEquals(stream.serverPk.hex(), server.pk.hex());
  assertEquals(stream.remoteAddr.pk.hex(), server.pk.hex());
  const data = text.encode("GET /health");
  assertEquals(await roundTrip(stream, data), data);
  stream.close();
  const error = await assertRejects(() => a.dialStream({ pk: server.pk, port: 81 }), DmsgError);
  assertEquals(error.code, 202);
  assertEquals((error.cause as DmsgError).code, 306);
  health.close();
  await served;
  await waitFor("server streams released", () => server.stats().streams === 0);
});

Deno.test("server refuses streams beyond the per-session cap", async () => {
  await using net = await testNetwork();
  const server = await net.server({ maxStreamsPerSession: 2 });
  const a = await net.client();
  const b = await net.client();
  await Promise.all([a.ready(), b.ready()]);
  const listener = b.listen(7);
  const held = [listener.accept(), listener.accept()];
  const s1 = await a.dialStream({ pk: b.pk, port: 7 });
  const s2 = await a.dialStream({ pk: b.pk, port: 7 });
  await Promise.all(held);
  await assertRejects(() => a.dialStream({ pk: b.pk, port: 7 }), DmsgError);
  s1.close();
  for (const stream of await Promise.all(held)) stream!.close();
  await waitFor("a slot freed", () => server.stats().relays < 2);
  const s3 = await a.dialStream({ pk: b.pk, port: 7 });
  (await listener.accept())!.close();
  s2.close();
  s3.close();
  listener.close();
});

Deno.test("server refuses a TCP peer that never finishes the handshake within its limit", async () => {
  await using net = await testNetwork();
  const server = await net.server({ sessionHandshakeTimeoutMs: 200 });
  const [host, port] = server.address.split(":");
  const conn = await Deno.connect({ hostname: host, port: Number(port) });
  await conn.write(new Uint8Array([0, 49]));
  assertEquals(await conn.read(new Uint8Array(10)), null);
  conn.close();
  assertEquals(server.stats().sessionHandshakes, 0);
  // A real client still gets in.
  const keys = generateKeyPair();
  const session = await dialSession({
    address: server.address,
    serverPk: server.pk,
    keyPair: keys,
  });
  await waitFor("admitted", () => server.sessionCount() === 1);
  await session.close();
});

Deno.test("server: selfDelegated publishes a client section naming itself; dial() reaches clients", async () => {
  await using net = await testNetwork();
  const plain = await net.server();
  const delegated = await net.server({ selfDelegated: true });
  const disc = new DiscoveryClient({ url: net.url });
  assertEquals((await disc.getEntry(plain.pk)).client, null);
  const entry = await disc.getEntry(delegated.pk);
  assertEquals(entry.client?.delegatedServers?.map((k) => k.hex()), [delegated.pk.hex()]);
  assertEquals(entry.server?.address, delegated.address);
  // The server opens a stream from its own key straight on a client's session.
  const client = await net.client({ servers: [entry] });
  await client.ready();
  const listener = client.listen(136);
  const served = (async () => {
    for await (const stream of listener) echo(stream);
  })();
  const stream = await delegated.dial({ pk: client.pk, port: 136 });
  assertEquals(stream.remoteAddr.pk.hex(), client.pk.hex());
  const data = new TextEncoder().encode("from the server's key");
  assertEquals(await roundTrip(stream, data), data);
  stream.close();
  // A key with no session here and no peer to ask: 307.
  await assertRejects(
    () => delegated.dial({ pk: generateKeyPair().pk, port: 136 }),
    DmsgError,
    "307",
  );
  listener.close();
  await served;
});

Deno.test("server caps sessions per address: the next one is refused and logged, others unaffected, places come back", async () => {
  await using net = await testNetwork();
  const logger = captureLogger("info");
  // Dual-stack, so 127.0.0.1 and ::1 are two addresses of this host; both capped when asked.
  const server = await net.server({
    addr: "[::]:0",
    maxSessionsPerAddress: 3,
    limitLoopback: true,
    logger,
  });
  const port = server.address.slice(server.address.lastIndexOf(":") + 1);
  const open: DmsgSession[] = [];
  const dial = async (host: string, keys = generateKeyPair()) => {
    const session = await dialSession({
      address: `${host}:${port}`,
      serverPk: server.pk,
      keyPair: keys,
    });
    open.push(session);
    return session;
  };
  try {
    const firstKeys = generateKeyPair();
    const mine = [
      await dial("127.0.0.1", firstKeys),
      await dial("127.0.0.1"),
      await dial("127.0.0.1"),
    ];
    await waitFor("three in", () => server.sessionCount() === 3);
    const refused = await dial("127.0.0.1");
    await refused.closed;
    assertEquals(server.sessionCount(), 3);
    assert(logger.lines.some((line) => line.includes("sessions per address reached")));
    // Another address is not held back, and the address at its cap keeps what it has.
    const other = await dial("[::1]");
    await waitFor("::1 in", () => server.sessionCount() === 4);
    assert(mine.every((session) => !session.isClosed) && !other.isClosed);
    assertEquals(server.stats().addressSessions, 4);
    assertEquals(server.stats().addressRefused, 1);
    // A client replacing its own session gets in at the cap.
    const again = await dial("127.0.0.1", firstKeys);
    await mine[0].closed;
    await waitFor("replaced", () => server.stats().addressSessions === 4);
    assert(!again.isClosed);
    // Churn on the one place a close frees: every session gets in, nothing stays counted.
    await mine[1].close();
    for (let i = 0; i < 30; i++) {
      await waitFor("a place free", () => server.stats().addressSessions === 3);
      const session = await dial("127.0.0.1");
      await waitFor("in", () => server.stats().addressSessions === 4);
      assert(!session.isClosed, `churn session ${i} refused`);
      await session.close();
    }
    assertEquals(server.stats().addressRefused, 1);
  } finally {
    await Promise.all(open.map((session) => session.close()));
  }
  await waitFor("all places back", () => server.stats().addressSessions === 0);
  assertEquals(server.stats().sessionAddresses, 0);
  assertEquals(server.sessionCount(), 0);
});

Deno.test("server: this host's own address is not capped per address unless limitLoopback is set", async () => {
  await using net = await testNetwork();
  const server = await net.server({ maxSessionsPerAddress: 1 });
  await using one = await rawSession(server);
  await using two = await rawSession(server);
  await using three = await rawSession(server);
  await waitFor("all in", () => server.sessionCount() === 3);
  assert(!one.session.isClosed && !two.session.isClosed && !three.session.isClosed);
  assertEquals(server.stats().addressSessions, 0);
});
