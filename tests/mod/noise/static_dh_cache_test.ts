import { assert, assertEquals, assertThrows } from "@std/assert";
import { bytesToHex, ecdh, generateKeyPair, type KeyPair } from "../../../mod/cipher/mod.ts";
import { Handshake, StaticDhCache } from "../../../mod/noise/mod.ts";
import { loadVectors, vectorKeys } from "./_util.ts";

const vectors = await loadVectors();
const keys = vectorKeys(vectors.keys);

function counting(cache: StaticDhCache, local: KeyPair) {
  let computed = 0;
  return {
    get: (remote: KeyPair) =>
      cache.get(local, remote.pk, () => {
        computed++;
        return Uint8Array.of(computed);
      }),
    computed: () => computed,
  };
}

Deno.test("the least recently used peer is the one evicted", () => {
  const cache = new StaticDhCache(2);
  const local = generateKeyPair();
  const [a, b, c] = [generateKeyPair(), generateKeyPair(), generateKeyPair()];
  const counter = counting(cache, local);
  assertEquals(counter.get(a), Uint8Array.of(1));
  assertEquals(counter.get(b), Uint8Array.of(2));
  assertEquals(counter.get(a), Uint8Array.of(1)); // a hit makes a the most recent
  assertEquals(counter.get(c), Uint8Array.of(3)); // b goes
  assertEquals(cache.size, 2);
  assertEquals(counter.get(a), Uint8Array.of(1));
  assertEquals(counter.get(b), Uint8Array.of(4)); // recomputed; c goes
  assertEquals(counter.get(c), Uint8Array.of(5));
  assertEquals(counter.computed(), 5);
  cache.clear();
  assertEquals(cache.size, 0);
});

Deno.test("size 0 caches nothing; a different local key never sees another key's result", () => {
  const off = new StaticDhCache(0);
  const local = generateKeyPair(), peer = generateKeyPair();
  const counter = counting(off, local);
  counter.get(peer);
  counter.get(peer);
  assertEquals([counter.computed(), off.size], [2, 0]);

  const shared = new StaticDhCache();
  const other = generateKeyPair();
  assertEquals(shared.get(local, peer.pk, () => Uint8Array.of(1)), Uint8Array.of(1));
  assertEquals(shared.get(other, peer.pk, () => Uint8Array.of(2)), Uint8Array.of(2));
  assertEquals(shared.get(other, peer.pk, () => Uint8Array.of(3)), Uint8Array.of(2));
  for (const size of [-1, 1.5, Number.NaN]) {
    assertThrows(() => new StaticDhCache(size), RangeError);
  }
});

function kk(initiatorCache?: StaticDhCache, responderCache?: StaticDhCache) {
  const initiator = new Handshake({
    pattern: "KK",
    initiator: true,
    localKeyPair: keys.initiator,
    remoteStatic: keys.responder.pk,
    ephemeralKeyPair: keys.initiatorEphemeral,
    staticDh: initiatorCache,
  });
  const responder = new Handshake({
    pattern: "KK",
    initiator: false,
    localKeyPair: keys.responder,
    remoteStatic: keys.initiator.pk,
    ephemeralKeyPair: keys.responderEphemeral,
    staticDh: responderCache,
  });
  const first = initiator.writeMessage();
  responder.readMessage(first);
  const second = responder.writeMessage();
  initiator.readMessage(second);
  return { messages: [first, second].map(bytesToHex), initiator, responder };
}

Deno.test("KK with cached ss still gives Go's messages, handshake after handshake", () => {
  const expected = (vectors.kk as { messages: string[] }).messages;
  const initiatorCache = new StaticDhCache(), responderCache = new StaticDhCache();
  for (let i = 0; i < 3; i++) {
    const { messages, initiator, responder } = kk(initiatorCache, responderCache);
    assertEquals(messages, expected);
    const frame = initiator.transportKeys().send.sealFrame(Uint8Array.of(i));
    assertEquals([...responder.transportKeys().receive.openOrdered(frame.subarray(2))], [i]);
  }
  assertEquals([initiatorCache.size, responderCache.size], [1, 1]);
  // What is cached is ss itself: Skywire ECDH of the two static keys, plus Noise's zero byte.
  const ss = initiatorCache.get(keys.initiator, keys.responder.pk, () => {
    throw new Error("ss should be cached");
  });
  assertEquals(ss, Uint8Array.of(...ecdh(keys.responder.pk, keys.initiator.sk), 0));
  assert(kk().messages.every((m, i) => m === expected[i]));
});
