import { assert, assertEquals, assertThrows } from "@std/assert";
import { bytesToHex, generateKeyPair } from "../../../mod/cipher/mod.ts";
import {
  type Aead,
  aeadSelfTest,
  getAead,
  Handshake,
  loadAead,
  NoiseDecryptError,
  NoiseError,
  NoiseFrameError,
  SessionObjectCipher,
} from "../../../mod/noise/mod.ts";
import { Prng } from "./_util.ts";

const node = await loadAead("node"), noble = await loadAead("noble");

Deno.test("both AEAD backends pass the RFC 8439 self-test", () => {
  assert(aeadSelfTest(node));
  assert(aeadSelfTest(noble));
});

Deno.test("the automatic AEAD choice is a native one when it works, noble when it does not", () => {
  // libcrypto over FFI when it loads (see aead_ffi_test.ts), node:crypto otherwise.
  assert(["ffi", "node"].includes(getAead().name));
  assertEquals(getAead("auto"), getAead());
  const broken: Aead = {
    ...node,
    seal: (k, n, p, a, out) => (node.seal(k, n, p, a, out), out[0] ^= 1),
  };
  assertEquals(aeadSelfTest(broken), false);
  const missing: Aead = {
    ...node,
    seal: () => {
      throw new Error("Unknown cipher");
    },
  };
  assertEquals(aeadSelfTest(missing), false);
  const accepting: Aead = { ...node, open: (_k, _n, sealed) => sealed.subarray(16) };
  assertEquals(aeadSelfTest(accepting), false);
});

Deno.test("node:crypto and noble give identical bytes on random inputs", () => {
  const prng = new Prng(0xaead);
  for (let i = 0; i < 2_000; i++) {
    const key = prng.bytes(32), nonce = prng.bytes(12);
    const ad = prng.bytes(prng.int(4) === 0 ? 0 : prng.int(80));
    const plaintext = prng.bytes(i % 50 === 0 ? 4070 + prng.int(70_000) : prng.int(300));
    const a = new Uint8Array(plaintext.length + 16), b = new Uint8Array(plaintext.length + 16);
    node.seal(key, nonce, plaintext, ad, a);
    noble.seal(key, nonce, plaintext, ad, b);
    assertEquals(bytesToHex(a), bytesToHex(b));
    assertEquals(bytesToHex(node.open(key, nonce, b, ad)), bytesToHex(plaintext));
    assertEquals(bytesToHex(noble.open(key, nonce, a, ad)), bytesToHex(plaintext));
  }
});

Deno.test("a tampered byte anywhere in the sealed bytes fails on both backends", () => {
  const prng = new Prng(0x7a3);
  const key = prng.bytes(32), nonce = prng.bytes(12), ad = prng.bytes(20);
  const plaintext = prng.bytes(100);
  const sealed = new Uint8Array(116);
  node.seal(key, nonce, plaintext, ad, sealed);
  for (const aead of [node, noble]) {
    for (let at = 0; at < sealed.length; at++) {
      const bad = sealed.slice();
      bad[at] ^= 1 << (at % 8);
      assertThrows(() => aead.open(key, nonce, bad, ad), NoiseDecryptError);
    }
    const badNonce = nonce.slice();
    badNonce[11] ^= 1;
    assertThrows(() => aead.open(key, badNonce, sealed, ad), NoiseDecryptError);
    assertThrows(() => aead.open(key, nonce, sealed, ad.subarray(1)), NoiseDecryptError);
    assertThrows(() => aead.open(key, nonce, sealed.subarray(0, 15), ad), NoiseDecryptError);
  }
});

function objectCiphers(aead: Aead): [SessionObjectCipher, SessionObjectCipher] {
  const a = generateKeyPair(), b = generateKeyPair();
  const initiator = new Handshake({
    pattern: "KK",
    initiator: true,
    localKeyPair: a,
    remoteStatic: b.pk,
    aead,
  });
  const responder = new Handshake({
    pattern: "KK",
    initiator: false,
    localKeyPair: b,
    remoteStatic: a.pk,
    aead,
  });
  responder.readMessage(initiator.writeMessage());
  initiator.readMessage(responder.writeMessage());
  return [
    new SessionObjectCipher(initiator.transportKeys()),
    new SessionObjectCipher(responder.transportKeys()),
  ];
}

Deno.test("a tampered frame byte (length, nonce, ciphertext, tag) is rejected on both backends", () => {
  for (const aead of [node, noble]) {
    const [sender, receiver] = objectCiphers(aead);
    const frame = sender.encryptObject(new TextEncoder().encode("stream request"));
    for (let at = 0; at < frame.length; at++) {
      const bad = frame.slice();
      bad[at] ^= 0x10;
      const error = assertThrows(() => receiver.decryptObject(bad), NoiseError);
      // The length prefix is checked first; everything after it by the AEAD.
      if (at < 2) assert(error instanceof NoiseFrameError, `${aead.name} byte ${at}`);
      else assert(error instanceof NoiseDecryptError, `${aead.name} byte ${at}`);
    }
    assertEquals(receiver.window.highest, 0n);
    assertEquals(new TextDecoder().decode(receiver.decryptObject(frame)), "stream request");
  }
});

Deno.test("frames sealed by one backend open with the other", () => {
  // The same handshake (fixed keys) run once per backend gives the same transport keys.
  const a = generateKeyPair(), b = generateKeyPair(), e = generateKeyPair(), f = generateKeyPair();
  const keysWith = (aead: Aead) => {
    const i = new Handshake({
      pattern: "KK",
      initiator: true,
      localKeyPair: a,
      remoteStatic: b.pk,
      ephemeralKeyPair: e,
      aead,
    });
    const r = new Handshake({
      pattern: "KK",
      initiator: false,
      localKeyPair: b,
      remoteStatic: a.pk,
      ephemeralKeyPair: f,
      aead,
    });
    r.readMessage(i.writeMessage());
    i.readMessage(r.writeMessage());
    return [i.transportKeys(), r.transportKeys()];
  };
  const [nodeInitiator] = keysWith(node);
  const [, nobleResponder] = keysWith(noble);
  const plaintext = new Uint8Array(4070).map((_, i) => i);
  const frame = nodeInitiator.send.sealFrame(plaintext);
  assertEquals(
    bytesToHex(nobleResponder.receive.openOrdered(frame.subarray(2))),
    bytesToHex(plaintext),
  );
});
