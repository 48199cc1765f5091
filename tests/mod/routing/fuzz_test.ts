/**
 * Seeded fuzzing of every decoder of network bytes in mod/routing: random and mutated inputs,
 * where only the module's typed errors may be thrown and every accepted input must be
 * self-consistent.
 */
import { assert, assertEquals } from "@std/assert";
import type { ByteStream } from "../../../mod/conn/mod.ts";
import {
  decodeBwAckPayload,
  decodeBwProbePayload,
  decodeClosePayload,
  decodeHandshakePayload,
  decodePacket,
  decodePingPayload,
  decodePongPayload,
  decodeSackPayload,
  decodeTransportPingPayload,
  encodeHandshakePayload,
  encodePacket,
  encodePingPayload,
  encodeSackPayload,
  MAX_PACKET_SIZE,
  PacketReader,
  PacketType,
  RouteDescriptor,
  RoutingError,
  Rule,
  ruleFromSummary,
  ruleSummary,
  TruncatedPacketError,
} from "../../../mod/routing/mod.ts";
import { PK_A, PK_B, prng } from "./_helpers.ts";

const ITERATIONS = 100_000;

type Rng = ReturnType<typeof prng>;

/** Run `fn`, allowing only RoutingError; returns whether it threw. */
function typedOnly(fn: () => void): boolean {
  try {
    fn();
    return false;
  } catch (error) {
    if (error instanceof RoutingError) return true;
    throw error;
  }
}

/** Random bytes of a length in [0, max). */
function randomBytes(rng: Rng, max: number): Uint8Array {
  const out = new Uint8Array(rng.int(max));
  rng.fill(out);
  return out;
}

/** A copy of `seed` with a few random flips, overwrites, truncations or extensions. */
function mutate(rng: Rng, seed: Uint8Array): Uint8Array {
  let out = seed.slice();
  const edits = 1 + rng.int(4);
  for (let e = 0; e < edits; e++) {
    switch (rng.int(5)) {
      case 0:
        if (out.length) out[rng.int(out.length)] ^= 1 << rng.int(8);
        break;
      case 1:
        if (out.length) out[rng.int(out.length)] = rng.int(256);
        break;
      case 2:
        out = out.slice(0, rng.int(out.length + 1));
        break;
      case 3: {
        const extra = randomBytes(rng, 40);
        const grown = new Uint8Array(out.length + extra.length);
        grown.set(out);
        grown.set(extra, out.length);
        out = grown;
        break;
      }
      default:
        // Point the length field or type byte somewhere interesting.
        if (out.length > 8) out[rng.int(9)] = [0, 1, 2, 3, 0x7f, 0xff][rng.int(6)];
    }
  }
  return out;
}

function decodePayloadByType(type: number, payload: Uint8Array): void {
  switch (type) {
    case PacketType.Close:
      decodeClosePayload(payload);
      break;
    case PacketType.Handshake:
      decodeHandshakePayload(payload);
      break;
    case PacketType.Ping:
      decodePingPayload(payload);
      break;
    case PacketType.Pong:
      decodePongPayload(payload);
      break;
    case PacketType.SACK: {
      const sack = decodeSackPayload(payload);
      assert(sack.words.length <= 32);
      break;
    }
    case PacketType.TransportPing:
    case PacketType.TransportPong:
      decodeTransportPingPayload(payload);
      break;
    case PacketType.TransportBwProbe:
      decodeBwProbePayload(payload);
      break;
    case PacketType.TransportBwAck:
      decodeBwAckPayload(payload);
      break;
  }
}

const PACKET_SEEDS = [
  encodePacket({ type: 0, routeId: 1, payload: new Uint8Array(20).fill(3) }),
  encodePacket({ type: 1, routeId: 2, payload: Uint8Array.of(0) }),
  encodePacket({ type: 2, routeId: 3, payload: new Uint8Array() }),
  encodePacket({
    type: 3,
    routeId: 4,
    payload: encodeHandshakePayload({ encrypt: true, capabilities: 7 }),
  }),
  encodePacket({
    type: 4,
    routeId: 5,
    payload: encodePingPayload({ timestamp: 1n, throughput: 2n }),
  }),
  encodePacket({
    type: 7,
    routeId: 6,
    payload: encodeSackPayload({ lastContiguousSeq: 1, words: [1n, 2n] }),
  }),
  encodePacket({ type: 19, routeId: 0, payload: new Uint8Array(12) }),
];

Deno.test("fuzz: decodePacket and the payload decoders throw only typed errors", () => {
  const rng = prng(0x5eed0001);
  let accepted = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const input = i % 2
      ? randomBytes(rng, 96)
      : mutate(rng, PACKET_SEEDS[rng.int(PACKET_SEEDS.length)]);
    const threw = typedOnly(() => {
      const packet = decodePacket(input);
      assertEquals(packet.frame.length, 7 + packet.payload.length);
      assert(packet.payload.buffer === input.buffer);
      assertEquals(encodePacket(packet), packet.frame);
      accepted++;
      typedOnly(() => decodePayloadByType(packet.type, packet.payload));
    });
    if (threw && input.length >= 7) assert(input.length < 7 + ((input[5] << 8) | input[6]));
  }
  assert(accepted > ITERATIONS / 10, `only ${accepted} inputs decoded`);
});

/** A ByteStream over fixed bytes that hands them out in random-sized chunks. */
class ChunkedStream implements Pick<ByteStream, "read"> {
  #offset = 0;
  largestRead = 0;
  reads = 0;
  constructor(readonly data: Uint8Array, readonly rng: Rng) {}
  read(p: Uint8Array): Promise<number | null> {
    this.reads++;
    this.largestRead = Math.max(this.largestRead, p.length);
    if (this.#offset >= this.data.length) return Promise.resolve(null);
    const n = Math.min(p.length, 1 + this.rng.int(64), this.data.length - this.#offset);
    p.set(this.data.subarray(this.#offset, this.#offset + n));
    this.#offset += n;
    return Promise.resolve(n);
  }
}

/** What a correct reader yields for `data`: the frames, then whether bytes are left over. */
function expectedFrames(data: Uint8Array): { frames: Uint8Array[]; truncated: boolean } {
  const frames: Uint8Array[] = [];
  let offset = 0;
  while (offset < data.length) {
    const rest = data.subarray(offset);
    if (rest.length < 7 || rest.length < 7 + ((rest[5] << 8) | rest[6])) {
      return { frames, truncated: true };
    }
    const frame = decodePacket(rest).frame;
    frames.push(frame);
    offset += frame.length;
  }
  return { frames, truncated: false };
}

Deno.test("fuzz: PacketReader on random byte streams matches the frame decoder", async () => {
  const rng = prng(0x5eed0002);
  for (let i = 0; i < ITERATIONS; i++) {
    let data: Uint8Array;
    if (i % 2) {
      // Random bytes with small length fields, so several packets fit in one stream.
      data = randomBytes(rng, 160);
      for (let at = 5; at < data.length; at += 7 + rng.int(30)) data[at] = 0;
    } else {
      const parts: Uint8Array[] = [];
      for (let n = 1 + rng.int(4); n > 0; n--) {
        parts.push(PACKET_SEEDS[rng.int(PACKET_SEEDS.length)]);
      }
      const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let offset = 0;
      for (const part of parts) {
        joined.set(part, offset);
        offset += part.length;
      }
      data = mutate(rng, joined);
    }
    const stream = new ChunkedStream(data, rng);
    const reader = new PacketReader(stream, { initialBufferSize: 8 + rng.int(64) });
    const expected = expectedFrames(data);
    let got = 0;
    let truncated = false;
    try {
      for (let packet = await reader.next(); packet; packet = await reader.next()) {
        assertEquals(packet.frame, expected.frames[got++]);
      }
    } catch (error) {
      if (!(error instanceof TruncatedPacketError)) throw error;
      truncated = true;
    }
    assertEquals([got, truncated], [expected.frames.length, expected.truncated]);
    // Bounded memory: the reader never asks for more than one largest packet at a time, and
    // no hang: every read made progress or ended the stream.
    assert(stream.largestRead <= MAX_PACKET_SIZE);
    assert(stream.reads <= data.length + 1);
  }
});

const DESC = RouteDescriptor.create({ srcPk: PK_A, dstPk: PK_B, srcPort: 80, dstPort: 443 });
const TP_ID = "0f1e2d3c-4b5a-0697-8877-665544332211";
const RULE_SEEDS = [
  Rule.consume({ keepAliveMs: 30_000, keyRouteId: 1, descriptor: DESC }).bytes,
  Rule.forward({
    keepAliveMs: 30_000,
    keyRouteId: 2,
    descriptor: DESC,
    nextRouteId: 3,
    nextTransportId: TP_ID,
  }).bytes,
  Rule.intermediaryForward({
    keepAliveMs: 30_000,
    keyRouteId: 4,
    nextRouteId: 5,
    nextTransportId: TP_ID,
  }).bytes,
];

Deno.test("fuzz: Rule.fromBytes and every accessor throw only typed errors", () => {
  const rng = prng(0x5eed0003);
  let accepted = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const input = i % 2
      ? randomBytes(rng, 140)
      : mutate(rng, RULE_SEEDS[rng.int(RULE_SEEDS.length)]);
    typedOnly(() => {
      const rule = Rule.fromBytes(input);
      accepted++;
      assert(rule.type <= 2);
      void [rule.keepAliveNs, rule.keepAliveMs, rule.keyRouteId, rule.typeName];
      for (
        const get of [
          () => rule.nextRouteId,
          () => rule.nextTransportId,
          () => rule.routeDescriptor.fields(),
        ]
      ) {
        typedOnly(get);
      }
      const text = rule.toString();
      assert(text.length > 0);
      const summary = ruleSummary(rule);
      // Rebuilding from the summary validates keys on the curve: only on a sample, it is slow.
      if (i % 64 === 0) {
        typedOnly(() => {
          const rebuilt = ruleFromSummary(JSON.parse(JSON.stringify(summary)));
          assertEquals(rebuilt.keyRouteId, rule.keyRouteId);
        });
      }
    });
  }
  assert(accepted > ITERATIONS / 10, `only ${accepted} rules parsed`);
});

Deno.test("fuzz: RouteDescriptor.fromBytes and its accessors throw only typed errors", () => {
  const rng = prng(0x5eed0004);
  let accepted = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const input = i % 2 ? randomBytes(rng, 80) : mutate(rng, DESC.bytes);
    typedOnly(() => {
      const desc = RouteDescriptor.fromBytes(input);
      accepted++;
      assertEquals(desc.invert().invert().key(), desc.key());
      assert(desc.srcPort <= 0xffff && desc.dstPort <= 0xffff);
      void [desc.toString(), desc.fields()];
      // Curve checks cost tens of microseconds: sample them.
      if (i % 16 === 0) typedOnly(() => void [desc.srcPk, desc.dstPk]);
    });
  }
  assert(accepted > ITERATIONS / 20, `only ${accepted} descriptors parsed`);
});
