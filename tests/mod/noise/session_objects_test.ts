import { assert, assertEquals, assertInstanceOf, assertRejects, assertThrows } from "@std/assert";
import { bytesToHex, generateKeyPair, hexToBytes } from "../../../mod/cipher/mod.ts";
import {
  Handshake,
  MAX_OBJECT_PLAINTEXT,
  NoiseError,
  NoiseFrameError,
  NoiseNonceError,
  SessionObjectCipher,
} from "../../../mod/noise/mod.ts";
import { loadVectors, Prng, ScriptedStream, vectorKeys, vectorPlaintext } from "./_util.ts";

const vectors = await loadVectors();

/** A client/server pair of session-object ciphers over a fresh XK handshake. */
function session(): { client: SessionObjectCipher; server: SessionObjectCipher } {
  const c = generateKeyPair(), s = generateKeyPair();
  const initiator = new Handshake({
    pattern: "XK",
    initiator: true,
    localKeyPair: c,
    remoteStatic: s.pk,
  });
  const responder = new Handshake({ pattern: "XK", initiator: false, localKeyPair: s });
  responder.readMessage(initiator.writeMessage());
  initiator.readMessage(responder.writeMessage());
  responder.readMessage(initiator.writeMessage());
  return {
    client: new SessionObjectCipher(initiator.transportKeys()),
    server: new SessionObjectCipher(responder.transportKeys()),
  };
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) out.set(part, offset), offset += part.length;
  return out;
}

Deno.test("session objects decrypt Go's XK frames (same framing as transport frames)", () => {
  const keys = vectorKeys(vectors.keys);
  const xk = vectors.xk as {
    messages: string[];
    initiator_frames: string[];
    initiator_frame_plaintexts: string[];
  };
  const responder = new Handshake({
    pattern: "XK",
    initiator: false,
    localKeyPair: keys.responder,
    ephemeralKeyPair: keys.responderEphemeral,
  });
  responder.readMessage(hexToBytes(xk.messages[0]));
  responder.writeMessage();
  responder.readMessage(hexToBytes(xk.messages[2]));
  const server = new SessionObjectCipher(responder.transportKeys());
  // Delivered out of order, as objects on two concurrent streams can be.
  const frames = xk.initiator_frames.map(hexToBytes);
  assertEquals(
    bytesToHex(server.decryptObject(frames[1])),
    bytesToHex(vectorPlaintext(xk.initiator_frame_plaintexts[1])),
  );
  assertEquals(
    bytesToHex(server.decryptObject(frames[0])),
    bytesToHex(vectorPlaintext(xk.initiator_frame_plaintexts[0])),
  );
  assertThrows(() => server.decryptObject(frames[0]), NoiseNonceError, "repeated");
});

Deno.test("session objects round-trip both ways with nonces 1, 2, 3", () => {
  const { client, server } = session();
  for (let i = 1; i <= 3; i++) {
    const frame = client.encryptObject(Uint8Array.of(i));
    assertEquals(new DataView(frame.buffer).getBigUint64(2), BigInt(i));
    assertEquals([...server.decryptObject(frame)], [i]);
    assertEquals([...client.decryptObject(server.encryptObject(Uint8Array.of(i + 10)))], [i + 10]);
  }
  assertEquals(server.window.highest, 3n);
});

Deno.test("session objects accept reordering within the window and reject replays and stale nonces", () => {
  const { client, server } = session();
  const frames = Array.from(
    { length: 1100 },
    (_, i) => client.encryptObject(Uint8Array.of(i & 0xff)),
  );
  assertEquals([...server.decryptObject(frames[1])], [1]);
  assertEquals([...server.decryptObject(frames[0])], [0]);
  assertThrows(() => server.decryptObject(frames[1]), NoiseNonceError, "repeated");
  assertEquals([...server.decryptObject(frames[1099])], [1099 & 0xff]); // nonce 1100
  assertThrows(() => server.decryptObject(frames[2]), NoiseNonceError, "older"); // nonce 3
  assertEquals([...server.decryptObject(frames[1099 - 1023])], [(1099 - 1023) & 0xff]); // nonce 77
});

Deno.test("a tampered object does not move the window, so the genuine one still arrives", () => {
  const { client, server } = session();
  const frame = client.encryptObject(new Uint8Array(50));
  const forged = frame.slice();
  forged[9] ^= 0x40; // nonce 1 -> a far larger nonce, with a tag that cannot match
  assertThrows(() => server.decryptObject(forged), NoiseError);
  assertEquals(server.window.highest, 0n);
  assertEquals(server.decryptObject(frame).length, 50);
});

Deno.test("object framing errors: short, inconsistent prefix, oversize plaintext", () => {
  const { client, server } = session();
  const frame = client.encryptObject(Uint8Array.of(1, 2));
  assertThrows(() => server.decryptObject(new Uint8Array(1)), NoiseFrameError);
  assertThrows(() => server.decryptObject(frame.subarray(0, frame.length - 1)), NoiseFrameError);
  assertThrows(() => server.decryptObject(concat(frame, Uint8Array.of(0))), NoiseFrameError);
  assertThrows(
    () => server.decryptObject(Uint8Array.of(0, 8, 0, 0, 0, 0, 0, 0, 0, 1)),
    NoiseFrameError,
  );
  assertThrows(
    () => client.encryptObject(new Uint8Array(MAX_OBJECT_PLAINTEXT + 1)),
    NoiseFrameError,
  );
  const largest = client.encryptObject(new Uint8Array(MAX_OBJECT_PLAINTEXT).fill(3));
  assertEquals(largest.length, 2 + 0xffff);
  assertEquals(server.decryptObject(largest).length, MAX_OBJECT_PLAINTEXT);
});

Deno.test("readObject reads exactly one object and leaves the next bytes unread", async () => {
  const { client, server } = session();
  const first = client.encryptObject(new TextEncoder().encode("request"));
  const trailing = new TextEncoder().encode("yamux bytes");
  const stream = new ScriptedStream(concat(first, trailing), { prng: new Prng(3), maxChunk: 5 });
  assertEquals(new TextDecoder().decode((await server.readObject(stream))!), "request");
  assertEquals(stream.consumed, first.length);
});

Deno.test("readObject: null at a clean end, NoiseFrameError when the stream ends inside", async () => {
  const { client, server } = session();
  assertEquals(await server.readObject(new ScriptedStream(new Uint8Array(0))), null);
  const frame = client.encryptObject(new Uint8Array(10));
  for (const cut of [1, 2, 20, frame.length - 1]) {
    const error = await assertRejects(
      () => server.readObject(new ScriptedStream(frame.subarray(0, cut))),
      NoiseFrameError,
    );
    assert(error.message.includes("ended inside"));
  }
  await assertRejects(
    () => server.readObject(new ScriptedStream(Uint8Array.of(0, 3, 1, 2, 3))),
    NoiseFrameError,
  );
});

Deno.test("fuzz: decryptObject and readObject throw only NoiseError on random and mutated frames", async () => {
  const { client, server } = session();
  const genuine = Array.from(
    { length: 8 },
    (_, i) => client.encryptObject(new Uint8Array(i * 40).fill(i)),
  );
  const prng = new Prng(0x0b1ec7);
  let accepted = 0;
  for (let n = 0; n < 100_000; n++) {
    const input = n % 4 === 0
      ? prng.bytes(prng.int(120))
      : prng.mutate(genuine[prng.int(genuine.length)]);
    try {
      const plaintext = n % 16 === 1
        ? await server.readObject(new ScriptedStream(input, { prng, maxChunk: 64 }))
        : server.decryptObject(input);
      if (plaintext !== null) accepted++; // only genuine frames, each once (null: empty stream)
    } catch (error) {
      assertInstanceOf(error, NoiseError);
    }
  }
  assert(accepted <= genuine.length);
});
