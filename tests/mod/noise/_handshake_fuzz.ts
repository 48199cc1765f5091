// Fuzz driver for handshake messages, as the side that reads them, with seeded random and
// mutated inputs. Only NoiseHandshakeError may come out, and a rejected message must leave the
// handshake able to accept the genuine one afterwards.
import { assert, assertEquals, assertInstanceOf } from "@std/assert";
import { bytesToHex, getSecp256k1 } from "../../../mod/cipher/mod.ts";
import { Handshake, type HandshakePattern, NoiseHandshakeError } from "../../../mod/noise/mod.ts";
import { loadVectors, Prng, vectorKeys } from "./_util.ts";

const keys = vectorKeys((await loadVectors()).keys);
// The classifier below checks many keys; the backend the handshake uses is the quick one
// (tests/mod/cipher/secp256k1_test.ts shows both backends give the same answers).
const curve = getSecp256k1();
const INPUTS = 50_000;
// Inputs that get as far as an ECDH cost ~1 ms each (constant-time secp256k1 in JS), against
// ~10 µs for one rejected earlier, so at most this many of the 50,000 are allowed to be deep.
const DEEP_LIMIT = 750;

/**
 * A reader positioned just before message `index` (0-based) of `pattern`, and the genuine
 * message it expects there.
 */
function positioned(
  pattern: HandshakePattern,
  index: number,
): { reader: Handshake; genuine: Uint8Array } {
  const initiator = new Handshake({
    pattern,
    initiator: true,
    localKeyPair: keys.initiator,
    remoteStatic: keys.responder.pk,
    ephemeralKeyPair: keys.initiatorEphemeral,
  });
  const responder = new Handshake({
    pattern,
    initiator: false,
    localKeyPair: keys.responder,
    remoteStatic: pattern === "KK" ? keys.initiator.pk : undefined,
    ephemeralKeyPair: keys.responderEphemeral,
  });
  for (let i = 0;; i++) {
    const [writer, reader] = i % 2 === 0 ? [initiator, responder] : [responder, initiator];
    const message = writer.writeMessage();
    if (i === index) return { reader, genuine: message };
    reader.readMessage(message);
  }
}

/** Feed 50,000 seeded bad versions of message `index` to the side that reads it. */
export function fuzzHandshakeMessage(pattern: HandshakePattern, index: number, seed: number): void {
  const prng = new Prng(seed);
  let { reader, genuine } = positioned(pattern, index);
  const genuineHex = bytesToHex(genuine);
  const keyFirst = !(pattern === "XK" && index === 2);
  // Whether `input` would reach DH (and then the AEAD): the costly path.
  const sameStart = (input: Uint8Array, length: number) =>
    input.subarray(0, length).every((byte, i) => byte === genuine[i]);
  const deep = (input: Uint8Array) =>
    input.length >= genuine.length &&
    (keyFirst
      ? sameStart(input, 33) || ((input[0] === 2 || input[0] === 3) &&
        curve.isValidPoint(input.subarray(0, 33)))
      : sameStart(input, 49));
  let rejected = 0, deepCount = 0;
  for (let n = 0; n < INPUTS;) {
    let input: Uint8Array;
    const kind = prng.int(8);
    if (kind === 0) {
      input = prng.bytes(prng.int(200)); // pure noise, any length
    } else if (kind === 1) {
      // Noise of the right length behind a plausible key prefix, so some keys parse.
      input = prng.bytes(genuine.length);
      input[0] = 2 + prng.int(2);
    } else {
      input = prng.mutate(genuine); // mutations of the real message
    }
    if (deep(input)) {
      if (deepCount === DEEP_LIMIT) continue;
      deepCount++;
    }
    n++;
    try {
      reader.readMessage(input);
    } catch (error) {
      assertInstanceOf(error, NoiseHandshakeError);
      rejected++;
      continue;
    }
    // Only the genuine bytes can authenticate; start over from a fresh state.
    assertEquals(bytesToHex(input), genuineHex);
    ({ reader, genuine } = positioned(pattern, index));
  }
  assert(rejected > INPUTS * 0.9);
  assertEquals(deepCount, DEEP_LIMIT);
  reader.readMessage(genuine);
  assertEquals(reader.messageIndex, index + 1);
}
