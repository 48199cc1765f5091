import { assertEquals, assertRejects } from "@std/assert";
import { generateKeyPair } from "../../../mod/cipher/mod.ts";
import { readFull, writeAll } from "../../../mod/conn/mod.ts";
import { acceptSession, dialSession, DmsgError } from "../../../mod/dmsg/mod.ts";
import { Handshake, NoiseHandshakeTimeoutError } from "../../../mod/noise/mod.ts";

function listen() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  return { listener, address: `127.0.0.1:${(listener.addr as Deno.NetAddr).port}` };
}

Deno.test("dialSession and acceptSession exchange session objects over yamux", async () => {
  const server = generateKeyPair(), client = generateKeyPair();
  const { listener, address } = listen();
  const accepted = (async () => {
    const conn = await listener.accept();
    return await acceptSession({ conn, address: "peer", keyPair: server });
  })();
  const dialed = await dialSession({ address, serverPk: server.pk, keyPair: client });
  const far = await accepted;
  assertEquals(far.remotePk.hex(), client.pk.hex());
  assertEquals(dialed.remotePk.hex(), server.pk.hex());
  const stream = await dialed.open();
  await dialed.writeObject(stream, new Uint8Array([1, 2, 3]));
  const incoming = (await far.accept())!;
  assertEquals(new Uint8Array((await far.readObject(incoming))!), new Uint8Array([1, 2, 3]));
  await far.writeObject(incoming, new Uint8Array([4]));
  assertEquals(new Uint8Array((await dialed.readObject(stream))!), new Uint8Array([4]));
  stream.close();
  incoming.close();
  const rtt = await dialed.ping();
  assertEquals(dialed.latencyMs, rtt);
  await dialed.close();
  await far.closed;
  listener.close();
});

Deno.test("dialSession fails with 203 when the server sends bytes past its handshake message", async () => {
  const server = generateKeyPair(), client = generateKeyPair();
  const { listener, address } = listen();
  const fake = (async () => {
    const conn = await listener.accept();
    const responder = new Handshake({ pattern: "XK", initiator: false, localKeyPair: server });
    const prefix = new Uint8Array(2);
    await readFull(conn, prefix);
    const message = new Uint8Array((prefix[0] << 8) | prefix[1]);
    await readFull(conn, message);
    responder.readMessage(message);
    const reply = responder.writeMessage();
    const framed = new Uint8Array(2 + reply.length + 12);
    framed[1] = reply.length;
    framed.set(reply, 2);
    await writeAll(conn, framed); // message 2 plus a yamux header's worth of extra bytes
    await conn.read(new Uint8Array(256)).catch(() => null);
    conn.close();
  })();
  const error = await assertRejects(
    () => dialSession({ address, serverPk: server.pk, keyPair: client }),
    DmsgError,
  );
  assertEquals(error.code, 203);
  await fake;
  listener.close();
});

Deno.test("dialSession gives up on a silent server after the handshake limit", async () => {
  const server = generateKeyPair(), client = generateKeyPair();
  const { listener, address } = listen();
  const silent = listener.accept();
  await assertRejects(
    () => dialSession({ address, serverPk: server.pk, keyPair: client, handshakeTimeoutMs: 100 }),
    NoiseHandshakeTimeoutError,
  );
  const conn = await silent;
  assertEquals(await conn.read(new Uint8Array(128)).then(() => conn.read(new Uint8Array(1))), null);
  conn.close();
  listener.close();
});

Deno.test("dialSession stops when its signal aborts", async () => {
  const server = generateKeyPair(), client = generateKeyPair();
  const { listener, address } = listen();
  const silent = listener.accept();
  const controller = new AbortController();
  const dial = dialSession({
    address,
    serverPk: server.pk,
    keyPair: client,
    signal: controller.signal,
  });
  const conn = await silent;
  controller.abort(new Error("stop"));
  await assertRejects(() => dial, Error);
  conn.close();
  listener.close();
});

Deno.test("acceptSession hands bytes sent with the last handshake message to yamux, losing none", async () => {
  // Go's server reads the handshake through a bufio.Reader and must refuse such bytes (203),
  // since they would be lost to yamux. We read the handshake exactly, so nothing is lost and a
  // client that opens a stream at once is served instead of being dropped by a race.
  const server = generateKeyPair(), client = generateKeyPair();
  const { listener, address } = listen();
  const accepted = (async () => {
    const conn = await listener.accept();
    return await acceptSession({ conn, address: "peer", keyPair: server });
  })();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(address.split(":")[1]) });
  const initiator = new Handshake({
    pattern: "XK",
    initiator: true,
    localKeyPair: client,
    remoteStatic: server.pk,
  });
  const framed = (message: Uint8Array, extra = new Uint8Array(0)) => {
    const out = new Uint8Array(2 + message.length + extra.length);
    out[0] = message.length >> 8;
    out[1] = message.length & 0xff;
    out.set(message, 2);
    out.set(extra, 2 + message.length);
    return out;
  };
  await writeAll(conn, framed(initiator.writeMessage()));
  const prefix = new Uint8Array(2);
  await readFull(conn, prefix);
  const reply = new Uint8Array((prefix[0] << 8) | prefix[1]);
  await readFull(conn, reply);
  initiator.readMessage(reply);
  // Message 3 and a yamux ping (version 0, type 2, flag SYN, stream 0, opaque 7) in one write.
  const ping = new Uint8Array([0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7]);
  await writeAll(conn, framed(initiator.writeMessage(), ping));
  const session = await accepted;
  const answer = new Uint8Array(12);
  await readFull(conn, answer);
  assertEquals(answer, new Uint8Array([0, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 7]), "ping answered (ACK)");
  conn.close();
  await session.closed;
  listener.close();
});
