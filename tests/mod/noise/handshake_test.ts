import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import {
  bytesToHex,
  generateKeyPair,
  hexToBytes,
  type KeyPair,
  PubKey,
} from "../../../mod/cipher/mod.ts";
import {
  type Aead,
  Handshake,
  type HandshakePattern,
  loadAead,
  NoiseDecryptError,
  NoiseHandshakeError,
  PQ_OFFER_SIZE,
  SessionObjectCipher,
  type TransportKeys,
} from "../../../mod/noise/mod.ts";
import { loadVectors, vectorKeys, vectorPlaintext } from "./_util.ts";

const vectors = await loadVectors();
const keys = vectorKeys(vectors.keys);

interface HandshakeVector {
  messages: string[];
  initiator_frames: string[];
  initiator_frame_plaintexts: string[];
  responder_frames: string[];
  responder_frame_plaintexts: string[];
}

function vector(pattern: HandshakePattern): HandshakeVector {
  return vectors[pattern.toLowerCase()] as unknown as HandshakeVector;
}

function pair(
  pattern: HandshakePattern,
  aead?: Aead,
): { initiator: Handshake; responder: Handshake } {
  return {
    initiator: new Handshake({
      pattern,
      initiator: true,
      localKeyPair: keys.initiator,
      remoteStatic: keys.responder.pk,
      ephemeralKeyPair: keys.initiatorEphemeral,
      aead,
    }),
    responder: new Handshake({
      pattern,
      initiator: false,
      localKeyPair: keys.responder,
      remoteStatic: pattern === "KK" ? keys.initiator.pk : undefined,
      ephemeralKeyPair: keys.responderEphemeral,
      aead,
    }),
  };
}

/** Run a handshake between two state machines; returns the messages in order. */
function run(initiator: Handshake, responder: Handshake, firstPayload?: Uint8Array): Uint8Array[] {
  const messages: Uint8Array[] = [];
  while (!initiator.finished || !responder.finished) {
    const [writer, reader] = initiator.shouldWrite
      ? [initiator, responder]
      : [responder, initiator];
    const message = writer.writeMessage(messages.length === 0 ? firstPayload : undefined);
    reader.readMessage(message);
    messages.push(message);
  }
  return messages;
}

for (const pattern of ["XK", "KK"] as const) {
  for (const backend of ["node", "noble"] as const) {
    Deno.test(`${pattern} handshake reproduces Go's messages byte for byte (${backend})`, async () => {
      const expected = vector(pattern).messages;
      const { initiator, responder } = pair(pattern, await loadAead(backend));
      const messages = run(initiator, responder);
      assertEquals(messages.map(bytesToHex), expected);
      assertEquals(messages.map((m) => m.length), pattern === "XK" ? [49, 49, 65] : [49, 49]);
    });

    Deno.test(`${pattern} transport frames match Go's from both sides (${backend})`, async () => {
      const v = vector(pattern);
      const { initiator, responder } = pair(pattern, await loadAead(backend));
      run(initiator, responder);
      const i = initiator.transportKeys(), r = responder.transportKeys();
      // Producing: our frames are Go's frames, nonces 1, 2, ... from each side.
      assertEquals(
        v.initiator_frame_plaintexts.map((p) => bytesToHex(i.send.sealFrame(vectorPlaintext(p)))),
        v.initiator_frames,
      );
      assertEquals(
        v.responder_frame_plaintexts.map((p) => bytesToHex(r.send.sealFrame(vectorPlaintext(p)))),
        v.responder_frames,
      );
      // Consuming: Go's frames decrypt to Go's plaintexts on the other side.
      const open = (k: TransportKeys, frame: string) =>
        bytesToHex(k.receive.openOrdered(hexToBytes(frame).subarray(2)));
      assertEquals(
        v.initiator_frames.map((f) => open(r, f)),
        v.initiator_frame_plaintexts.map((p) => bytesToHex(vectorPlaintext(p))),
      );
      assertEquals(
        v.responder_frames.map((f) => open(i, f)),
        v.responder_frame_plaintexts.map((p) => bytesToHex(vectorPlaintext(p))),
      );
    });
  }

  Deno.test(`${pattern} handshake consumes Go's messages when only one side is ours`, () => {
    const expected = vector(pattern).messages.map(hexToBytes);
    // Our initiator against Go's responder messages, and our responder against Go's initiator.
    const { initiator, responder } = pair(pattern);
    for (const [index, message] of expected.entries()) {
      const initiatorWrites = index % 2 === 0;
      const ours = initiatorWrites ? initiator : responder;
      const theirs = initiatorWrites ? responder : initiator;
      assertEquals(bytesToHex(ours.writeMessage()), bytesToHex(message));
      assertEquals(theirs.readMessage(message).length, 0);
    }
    assert(initiator.finished && responder.finished);
    assertEquals(
      bytesToHex(initiator.transportKeys().handshakeHash),
      bytesToHex(responder.transportKeys().handshakeHash),
    );
  });
}

// An independent textbook Noise computation (noble primitives, no code shared with mod/noise)
// of Split()'s cs1 and cs2, to show which one each side of Go's transcript encrypts with.
function textbookSplit(pattern: HandshakePattern): [Uint8Array, Uint8Array] {
  const hkdf = (ck: Uint8Array, ikm: Uint8Array): [Uint8Array, Uint8Array] => {
    const temp = hmac(sha256, ck, ikm);
    const o1 = hmac(sha256, temp, Uint8Array.of(1));
    return [o1, hmac(sha256, temp, Uint8Array.of(...o1, 2))];
  };
  const dh = (sk: KeyPair, pk: PubKey) =>
    Uint8Array.of(...sha256(secp256k1.getSharedSecret(sk.sk.view, pk.view, true)), 0);
  const { initiator: s, responder: rs, initiatorEphemeral: e, responderEphemeral: re } = keys;
  let ck: Uint8Array = sha256(
    new TextEncoder().encode(`Noise_${pattern}_Secp256k1_ChaChaPoly_SHA256`),
  );
  const mix = (ikm: Uint8Array) => ck = hkdf(ck, ikm)[0];
  // The chaining key depends only on the DH outputs, in pattern order.
  if (pattern === "XK") [dh(e, rs.pk), dh(e, re.pk), dh(s, re.pk)].forEach(mix);
  else [dh(e, rs.pk), dh(s, rs.pk), dh(e, re.pk), dh(s, re.pk)].forEach(mix);
  return hkdf(ck, new Uint8Array(0));
}

function opensWith(key: Uint8Array, frameHex: string): boolean {
  const frame = hexToBytes(frameHex);
  const nonce = new Uint8Array(12);
  new DataView(nonce.buffer).setBigUint64(4, new DataView(frame.buffer).getBigUint64(2), true);
  try {
    chacha20poly1305(key, nonce).decrypt(frame.subarray(10));
    return true;
  } catch {
    return false;
  }
}

Deno.test("Go's XK initiator encrypts with cs2 and its responder with cs1 (dmsg quirk)", () => {
  const [cs1, cs2] = textbookSplit("XK");
  const v = vector("XK");
  assert(opensWith(cs2, v.initiator_frames[0]) && !opensWith(cs1, v.initiator_frames[0]));
  assert(opensWith(cs1, v.responder_frames[0]) && !opensWith(cs2, v.responder_frames[0]));
});

Deno.test("Go's KK initiator encrypts with cs1 and its responder with cs2 (dmsg quirk)", () => {
  const [cs1, cs2] = textbookSplit("KK");
  const v = vector("KK");
  assert(opensWith(cs1, v.initiator_frames[0]) && !opensWith(cs2, v.initiator_frames[0]));
  assert(opensWith(cs2, v.responder_frames[0]) && !opensWith(cs1, v.responder_frames[0]));
});

Deno.test("XK responder learns the initiator's static key from message 3", () => {
  const { initiator, responder } = pair("XK");
  assertEquals(responder.remoteStatic, undefined);
  responder.readMessage(initiator.writeMessage());
  initiator.readMessage(responder.writeMessage());
  assertEquals(responder.remoteStatic, undefined);
  responder.readMessage(initiator.writeMessage());
  assertEquals(responder.remoteStatic?.hex(), keys.initiator.pk.hex());
  assertEquals(responder.transportKeys().remoteStatic.hex(), keys.initiator.pk.hex());
  assertEquals(initiator.transportKeys().remoteStatic.hex(), keys.responder.pk.hex());
});

Deno.test("fresh ephemeral keys give a working handshake with different bytes each time", () => {
  const a = generateKeyPair(), b = generateKeyPair();
  const transcripts = new Set<string>();
  for (let i = 0; i < 2; i++) {
    const initiator = new Handshake({
      pattern: "XK",
      initiator: true,
      localKeyPair: a,
      remoteStatic: b.pk,
    });
    const responder = new Handshake({ pattern: "XK", initiator: false, localKeyPair: b });
    transcripts.add(run(initiator, responder).map(bytesToHex).join());
    const frame = initiator.transportKeys().send.sealFrame(Uint8Array.of(1, 2, 3));
    assertEquals([...responder.transportKeys().receive.openOrdered(frame.subarray(2))], [1, 2, 3]);
  }
  assertEquals(transcripts.size, 2);
});

Deno.test("a classical responder decrypts and ignores a 1184-byte ML-KEM offer in XK message 1", () => {
  const { initiator, responder } = pair("XK");
  const offer = new Uint8Array(PQ_OFFER_SIZE).map((_, i) => i * 7);
  const message1 = initiator.writeMessage(offer);
  assertEquals(message1.length, 33 + PQ_OFFER_SIZE + 16);
  assertEquals(bytesToHex(responder.readMessage(message1)), bytesToHex(offer));
  const message2 = responder.writeMessage();
  assertEquals(
    message2.length,
    49,
    "the answer carries no ciphertext: the session stays classical",
  );
  assertEquals(initiator.readMessage(message2).length, 0);
  responder.readMessage(initiator.writeMessage());
  // Classical keys on both sides: objects flow both ways.
  const i = new SessionObjectCipher(initiator.transportKeys());
  const r = new SessionObjectCipher(responder.transportKeys());
  assertEquals(bytesToHex(r.decryptObject(i.encryptObject(Uint8Array.of(9)))), "09");
  assertEquals(bytesToHex(i.decryptObject(r.encryptObject(Uint8Array.of(8)))), "08");
});

Deno.test("handshake options must match the pattern's pre-messages", () => {
  const a = generateKeyPair(), b = generateKeyPair();
  assertThrows(
    () => new Handshake({ pattern: "XK", initiator: true, localKeyPair: a }),
    NoiseHandshakeError,
  );
  assertThrows(
    () => new Handshake({ pattern: "XK", initiator: false, localKeyPair: a, remoteStatic: b.pk }),
    NoiseHandshakeError,
  );
  assertThrows(
    () => new Handshake({ pattern: "KK", initiator: false, localKeyPair: a }),
    NoiseHandshakeError,
  );
  assertThrows(
    () =>
      new Handshake({ pattern: "KK", initiator: true, localKeyPair: a, remoteStatic: PubKey.NULL }),
    NoiseHandshakeError,
  );
});

Deno.test("writing or reading out of turn is a NoiseHandshakeError", () => {
  const { initiator, responder } = pair("KK");
  assertThrows(() => responder.writeMessage(), NoiseHandshakeError);
  assertThrows(() => initiator.readMessage(new Uint8Array(49)), NoiseHandshakeError);
  run(initiator, responder);
  assertThrows(() => initiator.writeMessage(), NoiseHandshakeError);
  assertThrows(() => responder.readMessage(new Uint8Array(49)), NoiseHandshakeError);
  assertThrows(() => new Handshake(pairOptions()).transportKeys(), NoiseHandshakeError);
  // Asking twice gives the same ciphers, never a second set that would reuse nonces.
  assertStrictEquals(initiator.transportKeys(), initiator.transportKeys());
});

Deno.test("a payload too large for a Noise message is refused before the state changes", () => {
  const { initiator, responder } = pair("XK");
  assertThrows(() => initiator.writeMessage(new Uint8Array(65535 - 49 + 1)), NoiseHandshakeError);
  assertEquals(initiator.messageIndex, 0);
  const largest = initiator.writeMessage(new Uint8Array(65535 - 49));
  assertEquals(largest.length, 65535);
  assertEquals(responder.readMessage(largest).length, 65535 - 49);
});

function pairOptions() {
  return {
    pattern: "XK" as const,
    initiator: true,
    localKeyPair: keys.initiator,
    remoteStatic: keys.responder.pk,
  };
}

Deno.test("short, oversize and bad-key handshake messages are rejected", () => {
  const message1 = hexToBytes(vector("XK").messages[0]);
  const responder = () => pair("XK").responder;
  for (const bad of [new Uint8Array(0), message1.subarray(0, 48), new Uint8Array(65536)]) {
    assertThrows(() => responder().readMessage(bad), NoiseHandshakeError);
  }
  const offCurve = message1.slice();
  offCurve[0] = 0x05; // not a compressed-point prefix
  assertThrows(() => responder().readMessage(offCurve), NoiseHandshakeError, "invalid ephemeral");
  const nullKey = message1.slice();
  nullKey.fill(0, 0, 33);
  assertThrows(() => responder().readMessage(nullKey), NoiseHandshakeError, "null ephemeral");
});

Deno.test("every tampered byte of every message is rejected, and the state is unchanged", () => {
  for (const pattern of ["XK", "KK"] as const) {
    const { initiator, responder } = pair(pattern);
    let index = 0;
    while (!initiator.finished) {
      const [writer, reader] = initiator.shouldWrite
        ? [initiator, responder]
        : [responder, initiator];
      const message = writer.writeMessage();
      for (let at = 0; at < message.length; at++) {
        const tampered = message.slice();
        tampered[at] ^= 0x01;
        const error = assertThrows(() => reader.readMessage(tampered), NoiseHandshakeError);
        if (at >= 33) assertInstanceOf(error.cause, NoiseDecryptError);
        assertEquals(reader.messageIndex, index);
      }
      // The genuine message still goes through after all those rejections.
      reader.readMessage(message);
      index++;
    }
    const frame = initiator.transportKeys().send.sealFrame(Uint8Array.of(42));
    assertEquals([...responder.transportKeys().receive.openOrdered(frame.subarray(2))], [42]);
  }
});

Deno.test("a responder with the wrong static key cannot read XK message 1", () => {
  const { initiator } = pair("XK");
  const impostor = new Handshake({
    pattern: "XK",
    initiator: false,
    localKeyPair: generateKeyPair(),
  });
  const error = assertThrows(
    () => impostor.readMessage(initiator.writeMessage()),
    NoiseHandshakeError,
  );
  assertInstanceOf(error.cause, NoiseDecryptError);
});
