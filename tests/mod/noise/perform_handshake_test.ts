import { assert, assertEquals, assertInstanceOf, assertRejects } from "@std/assert";
import { generateKeyPair } from "../../../mod/cipher/mod.ts";
import { readFull, UnexpectedEofError, writeAll } from "../../../mod/conn/mod.ts";
import {
  Handshake,
  NoiseHandshakeError,
  NoiseHandshakeTimeoutError,
  NoiseStream,
  performHandshake,
  PQ_OFFER_SIZE,
} from "../../../mod/noise/mod.ts";
import { tcpPair } from "../../_util/tcp_pair.ts";
import { loadVectors, Prng, ScriptedStream, vectorKeys } from "./_util.ts";

const vectorKeyPairs = vectorKeys((await loadVectors()).keys);

function framed(...messages: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(messages.reduce((n, m) => n + 2 + m.length, 0));
  let offset = 0;
  for (const message of messages) {
    new DataView(out.buffer).setUint16(offset, message.length);
    out.set(message, offset + 2);
    offset += 2 + message.length;
  }
  return out;
}

async function readFramed(conn: Deno.Conn): Promise<Uint8Array> {
  const prefix = new Uint8Array(2);
  await readFull(conn, prefix);
  const message = new Uint8Array((prefix[0] << 8) | prefix[1]);
  await readFull(conn, message);
  return message;
}

const TRAILING = new TextEncoder().encode("first yamux bytes");

Deno.test("XK responder over TCP reads no byte past message 3, even when more arrive with it", async () => {
  const client = generateKeyPair(), server = generateKeyPair();
  const [dialed, accepted] = await tcpPair();
  const initiator = new Handshake({
    pattern: "XK",
    initiator: true,
    localKeyPair: client,
    remoteStatic: server.pk,
  });
  const clientSide = (async () => {
    await writeAll(dialed, framed(initiator.writeMessage()));
    initiator.readMessage(await readFramed(dialed));
    // Message 3 and the first post-handshake bytes in one write, so they arrive together.
    await writeAll(dialed, new Uint8Array([...framed(initiator.writeMessage()), ...TRAILING]));
  })();
  const keys = await performHandshake({
    stream: accepted,
    pattern: "XK",
    initiator: false,
    localKeyPair: server,
  });
  await clientSide;
  assertEquals(keys.remoteStatic.hex(), client.pk.hex());
  const next = new Uint8Array(TRAILING.length);
  await readFull(accepted, next);
  assertEquals(next, TRAILING);
  dialed.close();
  accepted.close();
});

Deno.test("KK initiator over TCP reads no byte past message 2", async () => {
  const a = generateKeyPair(), b = generateKeyPair();
  const [dialed, accepted] = await tcpPair();
  const responder = new Handshake({
    pattern: "KK",
    initiator: false,
    localKeyPair: b,
    remoteStatic: a.pk,
  });
  const serverSide = (async () => {
    responder.readMessage(await readFramed(accepted));
    await writeAll(accepted, new Uint8Array([...framed(responder.writeMessage()), ...TRAILING]));
  })();
  const keys = await performHandshake({
    stream: dialed,
    pattern: "KK",
    initiator: true,
    localKeyPair: a,
    remoteStatic: b.pk,
  });
  await serverSide;
  assertEquals(keys.remoteStatic.hex(), b.pk.hex());
  const next = new Uint8Array(TRAILING.length);
  await readFull(dialed, next);
  assertEquals(next, TRAILING);
  dialed.close();
  accepted.close();
});

Deno.test("performHandshake reads exactly each message when the stream hands out 1-byte pieces", async () => {
  // The responder's whole side of Go's XK transcript, delivered byte by byte, plus trailing bytes.
  const v = (await loadVectors()).xk as { messages: string[] };
  const hex = (h: string) => Uint8Array.from(h.match(/../g)!, (x) => parseInt(x, 16));
  const input = new Uint8Array([...framed(hex(v.messages[0]), hex(v.messages[2])), ...TRAILING]);
  const stream = new ScriptedStream(input, { maxChunk: 1 });
  const keys = await performHandshake({
    stream,
    pattern: "XK",
    initiator: false,
    localKeyPair: vectorKeyPairs.responder,
    ephemeralKeyPair: vectorKeyPairs.responderEphemeral,
  });
  assertEquals(keys.remoteStatic.hex(), vectorKeyPairs.initiator.pk.hex());
  assertEquals(stream.consumed, input.length - TRAILING.length);
  assertEquals(stream.written.length, 1); // message 2, framed, in one write
  assertEquals(stream.written[0], framed(hex(v.messages[1])));
  assert(!stream.closed);
});

Deno.test("a responder that gets no message 1 in time fails with NoiseHandshakeTimeoutError", async () => {
  const [dialed, accepted] = await tcpPair();
  await assertRejects(
    () =>
      performHandshake({
        stream: accepted,
        pattern: "XK",
        initiator: false,
        localKeyPair: generateKeyPair(),
        timeoutMs: 50,
      }),
    NoiseHandshakeTimeoutError,
  );
  // The stream is still the caller's to close (closing twice would throw BadResource), and
  // closing it ends the read the handshake left pending.
  accepted.close();
  dialed.close();
});

Deno.test("an initiator whose peer never answers fails with NoiseHandshakeTimeoutError", async () => {
  const [dialed, accepted] = await tcpPair();
  await assertRejects(
    () =>
      performHandshake({
        stream: dialed,
        pattern: "KK",
        initiator: true,
        localKeyPair: generateKeyPair(),
        remoteStatic: generateKeyPair().pk,
        timeoutMs: 50,
      }),
    NoiseHandshakeTimeoutError,
  );
  assertEquals((await readFramed(accepted)).length, 49); // message 1 did go out
  dialed.close();
  accepted.close();
});

/** A ScriptedStream whose reads wait until `open()` is called. */
class GatedStream extends ScriptedStream {
  #gate = Promise.withResolvers<void>();

  open(): void {
    this.#gate.resolve();
  }

  override async read(p: Uint8Array): Promise<number | null> {
    await this.#gate.promise;
    return super.read(p);
  }
}

Deno.test("after a timeout, a late message is still read by the pending read but never answered", async () => {
  const keys = vectorKeyPairs;
  const message1 = new Handshake({
    pattern: "XK",
    initiator: true,
    localKeyPair: keys.initiator,
    remoteStatic: keys.responder.pk,
  }).writeMessage();
  const stream = new GatedStream(framed(message1));
  await assertRejects(
    () =>
      performHandshake({
        stream,
        pattern: "XK",
        initiator: false,
        localKeyPair: keys.responder,
        timeoutMs: 20,
      }),
    NoiseHandshakeTimeoutError,
  );
  stream.open(); // message 1 arrives late, into the read the handshake left pending
  while (stream.consumed < message1.length + 2) await new Promise((r) => setTimeout(r, 1));
  await new Promise((r) => setTimeout(r, 1));
  assertEquals(stream.written.length, 0, "no message 2 after the deadline");
});

Deno.test("a peer that closes during the handshake gives NoiseHandshakeError", async () => {
  const server = generateKeyPair();
  const [dialed, accepted] = await tcpPair();
  const failing = performHandshake({
    stream: dialed,
    pattern: "XK",
    initiator: true,
    localKeyPair: generateKeyPair(),
    remoteStatic: server.pk,
  });
  await readFramed(accepted); // message 1 arrives, then the peer hangs up
  accepted.close();
  const error = await assertRejects(() => failing, NoiseHandshakeError);
  assertInstanceOf(error.cause, UnexpectedEofError);
  dialed.close();
});

Deno.test("an oversize length prefix is rejected after reading only the prefix", async () => {
  for (const prefix of [[0x0f, 0xff], [0xff, 0xff]]) {
    const stream = new ScriptedStream(new Uint8Array([...prefix, ...new Uint8Array(5000)]));
    await assertRejects(
      () =>
        performHandshake({
          stream,
          pattern: "XK",
          initiator: false,
          localKeyPair: generateKeyPair(),
        }),
      NoiseHandshakeError,
      "exceeds 4094",
    );
    assertEquals(stream.consumed, 2);
  }
});

Deno.test("short, empty and garbage handshake messages are NoiseHandshakeError", async () => {
  for (
    const message of [
      new Uint8Array(0),
      new Uint8Array(10),
      new Prng(1).bytes(49),
      new Prng(2).bytes(4094),
    ]
  ) {
    const stream = new ScriptedStream(framed(message));
    await assertRejects(
      () =>
        performHandshake({
          stream,
          pattern: "KK",
          initiator: false,
          localKeyPair: generateKeyPair(),
          remoteStatic: generateKeyPair().pk,
        }),
      NoiseHandshakeError,
    );
  }
});

Deno.test("an XK initiator with the wrong server key is refused by the real server", async () => {
  const server = generateKeyPair();
  const [dialed, accepted] = await tcpPair();
  const initiator = performHandshake({
    stream: dialed,
    pattern: "XK",
    initiator: true,
    localKeyPair: generateKeyPair(),
    remoteStatic: generateKeyPair().pk,
  });
  initiator.catch(() => {});
  await assertRejects(
    () =>
      performHandshake({ stream: accepted, pattern: "XK", initiator: false, localKeyPair: server }),
    NoiseHandshakeError,
    "failed to authenticate",
  );
  accepted.close(); // the server's owner drops the connection; the initiator sees it end
  await assertRejects(() => initiator, NoiseHandshakeError);
  dialed.close();
});

Deno.test("a 2026-style initiator's ML-KEM offer gets an empty answer and a classical session over TCP", async () => {
  const client = generateKeyPair(), server = generateKeyPair();
  const [dialed, accepted] = await tcpPair();
  const responding = performHandshake({
    stream: accepted,
    pattern: "XK",
    initiator: false,
    localKeyPair: server,
  });
  const initiator = new Handshake({
    pattern: "XK",
    initiator: true,
    localKeyPair: client,
    remoteStatic: server.pk,
  });
  await writeAll(dialed, framed(initiator.writeMessage(new Prng(7).bytes(PQ_OFFER_SIZE))));
  const message2 = await readFramed(dialed);
  assertEquals(message2.length, 49); // e + tag of an empty payload: no KEM ciphertext
  assertEquals(initiator.readMessage(message2).length, 0);
  await writeAll(dialed, framed(initiator.writeMessage()));
  const [clientStream, serverStream] = [
    new NoiseStream(dialed, initiator.transportKeys()),
    new NoiseStream(accepted, await responding),
  ];
  await clientStream.write(new TextEncoder().encode("classical"));
  const buffer = new Uint8Array(32);
  const n = await serverStream.read(buffer);
  assertEquals(new TextDecoder().decode(buffer.subarray(0, n!)), "classical");
  clientStream.close();
  serverStream.close();
});

Deno.test("performHandshake with a first payload sends it in message 1", async () => {
  const client = generateKeyPair(), server = generateKeyPair();
  const stream = new ScriptedStream(new Uint8Array(0));
  await assertRejects(() =>
    performHandshake({
      stream,
      pattern: "XK",
      initiator: true,
      localKeyPair: client,
      remoteStatic: server.pk,
      payload: new Uint8Array(PQ_OFFER_SIZE),
    })
  );
  assertEquals(stream.written[0].length, 2 + 33 + PQ_OFFER_SIZE + 16);
});
