import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  assertKnownPacketType,
  Capability,
  CloseCode,
  decodeBwAckPayload,
  decodeBwProbePayload,
  decodeClosePayload,
  decodeHandshakePayload,
  decodePacket,
  decodePingPayload,
  decodePongPayload,
  decodeSackPayload,
  decodeTransportPingPayload,
  encodeBwAckPayload,
  encodeBwProbePayload,
  encodeClosePayload,
  encodeHandshakePayload,
  encodePacket,
  encodePingPayload,
  encodePongPayload,
  encodeSackPayload,
  encodeTransportPingPayload,
  InvalidFieldError,
  isKnownPacketType,
  MalformedPayloadError,
  PACKET_HEADER_SIZE,
  PacketType,
  packetTypeName,
  PayloadTooLargeError,
  setPacketRouteId,
  TRANSPORT_BW_PROBE_SIZE,
  TruncatedPacketError,
  UnknownPacketTypeError,
} from "../../../mod/routing/mod.ts";
import { bytes } from "./_helpers.ts";

Deno.test("encodePacket lays out type, BE route id, BE length, payload", () => {
  const packet = encodePacket({
    type: PacketType.Data,
    routeId: 0x01020304,
    payload: Uint8Array.of(0xaa, 0xbb, 0xcc),
  });
  assertEquals(packet, bytes("00" + "01020304" + "0003" + "aabbcc"));
  assertEquals(PACKET_HEADER_SIZE, 7);
});

Deno.test("encodePacket accepts the largest payload and refuses one byte more", () => {
  const max = encodePacket({ type: 0, routeId: 0xffffffff, payload: new Uint8Array(65535) });
  assertEquals(max.length, 7 + 65535);
  assertEquals(max.subarray(0, 7), bytes("00ffffffffffff"));
  assertThrows(
    () => encodePacket({ type: 0, routeId: 1, payload: new Uint8Array(65536) }),
    PayloadTooLargeError,
  );
});

Deno.test("encodePacket refuses a type or route id outside the wire range", () => {
  for (const type of [-1, 256, 1.5, NaN]) {
    assertThrows(
      () => encodePacket({ type, routeId: 1, payload: new Uint8Array() }),
      InvalidFieldError,
    );
  }
  for (const routeId of [-1, 2 ** 32, 0.5]) {
    assertThrows(
      () => encodePacket({ type: 0, routeId, payload: new Uint8Array() }),
      InvalidFieldError,
    );
  }
});

Deno.test("decodePacket returns views into the input and leaves trailing bytes", () => {
  const input = bytes("06" + "fffffffe" + "0002" + "6869" + "0102");
  const packet = decodePacket(input);
  assertEquals(packet.type, PacketType.Error);
  assertEquals(packet.routeId, 0xfffffffe);
  assertEquals(packet.payload, bytes("6869"));
  assertEquals(packet.frame.length, 9);
  assert(packet.payload.buffer === input.buffer, "payload must be a view, not a copy");
  input[7] = 0x41;
  assertEquals(packet.payload[0], 0x41);
});

Deno.test("decodePacket throws TruncatedPacketError for every short prefix", () => {
  const full = encodePacket({ type: 4, routeId: 9, payload: new Uint8Array(16).fill(7) });
  for (let n = 0; n < full.length; n++) {
    const error = assertThrows(() => decodePacket(full.subarray(0, n)), TruncatedPacketError);
    assertEquals(error.have, n);
  }
  assertEquals(decodePacket(full).payload, new Uint8Array(16).fill(7));
});

Deno.test("decodePacket passes unknown type bytes through; assertKnownPacketType refuses them", () => {
  const packet = decodePacket(bytes("c8" + "00000000" + "0001" + "ff"));
  assertEquals(packet.type, 200);
  assertEquals(packetTypeName(200), "Unknown(200)");
  assertEquals(packetTypeName(PacketType.TransportBwAck), "TransportBwAck");
  assertEquals(packetTypeName(PacketType.Data), "DataPacket");
  assert(isKnownPacketType(19));
  assert(!isKnownPacketType(20));
  assertThrows(() => assertKnownPacketType(20), UnknownPacketTypeError);
  assertKnownPacketType(PacketType.SACK);
});

Deno.test("packet round trip for every type value and several sizes", () => {
  for (let type = 0; type < 256; type++) {
    for (const size of [0, 1, 255, 256, 65535]) {
      const payload = new Uint8Array(size).map((_, i) => (i * 31 + type) & 0xff);
      const routeId = (type * 0x01010101) >>> 0;
      const decoded = decodePacket(encodePacket({ type, routeId, payload }));
      assertEquals([decoded.type, decoded.routeId, decoded.payload.length], [type, routeId, size]);
      assertEquals(decoded.payload, payload);
    }
  }
});

Deno.test("setPacketRouteId rewrites the route id in place", () => {
  const frame = encodePacket({ type: 0, routeId: 1, payload: Uint8Array.of(5) });
  setPacketRouteId(frame, 0xdeadbeef);
  assertEquals(frame, bytes("00deadbeef000105"));
  assertThrows(() => setPacketRouteId(new Uint8Array(6), 1), TruncatedPacketError);
});

Deno.test("Close payload is the code byte", () => {
  assertEquals(encodeClosePayload(CloseCode.Requested), bytes("00"));
  assertEquals(encodeClosePayload(CloseCode.LegRetired), bytes("01"));
  assertEquals(decodeClosePayload(bytes("01ff")), 1);
  assertThrows(() => decodeClosePayload(new Uint8Array()), MalformedPayloadError);
  const packet = encodePacket({
    type: PacketType.Close,
    routeId: 7,
    payload: encodeClosePayload(0),
  });
  assertEquals(packet, bytes("01" + "00000007" + "0001" + "00"));
});

Deno.test("Handshake capabilities are little-endian after the flag; old form is one byte", () => {
  const caps = Capability.Mux | Capability.SACK | Capability.Cascade | 0x0100;
  const payload = encodeHandshakePayload({ encrypt: true, capabilities: caps });
  assertEquals(payload, bytes("01" + "0701")); // 0x0107 little-endian
  assertEquals(decodeHandshakePayload(payload), { encrypt: true, capabilities: 0x0107 });
  assertEquals(encodeHandshakePayload({ encrypt: false }), bytes("00"));
  assertEquals(decodeHandshakePayload(bytes("00")), { encrypt: false, capabilities: 0 });
  // Go 2024 treats any non-zero byte 0 as "supports encryption".
  assertEquals(decodeHandshakePayload(bytes("02")).encrypt, true);
  // Two bytes are not enough for the capabilities field (Go 2026 reads 0).
  assertEquals(decodeHandshakePayload(bytes("0107")).capabilities, 0);
  assertThrows(() => decodeHandshakePayload(new Uint8Array()), MalformedPayloadError);
  assertThrows(
    () => encodeHandshakePayload({ encrypt: true, capabilities: 0x10000 }),
    InvalidFieldError,
  );
});

Deno.test("Ping and Pong carry two BE uint64 words", () => {
  const ping = encodePingPayload({
    timestamp: 0x0102030405060708n,
    throughput: 0xffffffffffffffffn,
  });
  assertEquals(ping, bytes("0102030405060708" + "ffffffffffffffff"));
  assertEquals(decodePingPayload(ping), {
    timestamp: 0x0102030405060708n,
    throughput: 0xffffffffffffffffn,
  });
  // Go's int64s go out as their two's complement.
  assertEquals(
    encodePingPayload({ timestamp: -1n, throughput: 0n }).subarray(0, 8),
    bytes("ffffffffffffffff"),
  );
  assertThrows(() => decodePingPayload(new Uint8Array(15)), MalformedPayloadError);

  const pong = encodePongPayload({ timestamp: 1711500000000n });
  assertEquals(pong.length, 16);
  assertEquals(pong.subarray(8), new Uint8Array(8));
  assertEquals(decodePongPayload(pong), { timestamp: 1711500000000n, extra: 0n });
  assertEquals(decodePongPayload(pong.subarray(0, 8)), { timestamp: 1711500000000n, extra: 0n });
  assertThrows(() => decodePongPayload(new Uint8Array(7)), MalformedPayloadError);
  assertThrows(
    () => encodePingPayload({ timestamp: 1n << 64n, throughput: 0n }),
    InvalidFieldError,
  );
});

Deno.test("TransportPing payload is an 8-byte BE timestamp", () => {
  const payload = encodeTransportPingPayload(0x17c0ffee00000001n);
  assertEquals(payload, bytes("17c0ffee00000001"));
  assertEquals(decodeTransportPingPayload(payload), 0x17c0ffee00000001n);
  assertThrows(() => decodeTransportPingPayload(new Uint8Array(7)), MalformedPayloadError);
});

Deno.test("SACK payload: seq, word count, BE words; trailing zero words dropped", () => {
  const payload = encodeSackPayload({
    lastContiguousSeq: 0x01020304,
    words: [0x8000000000000001n, 0n],
  });
  assertEquals(payload, bytes("01020304" + "01" + "8000000000000001"));
  assertEquals(decodeSackPayload(payload), {
    lastContiguousSeq: 0x01020304,
    words: [0x8000000000000001n],
  });
  assertEquals(encodeSackPayload({ lastContiguousSeq: 5, words: [] }), bytes("0000000500"));
  const full = encodeSackPayload({ lastContiguousSeq: 1, words: new Array(32).fill(1n) });
  assertEquals(full.length, 5 + 32 * 8);
  assertEquals(decodeSackPayload(full).words.length, 32);
  assertThrows(
    () => encodeSackPayload({ lastContiguousSeq: 1, words: new Array(33).fill(1n) }),
    MalformedPayloadError,
  );
  assertThrows(() => decodeSackPayload(bytes("0000000121")), MalformedPayloadError); // 33 words
  assertThrows(
    () => decodeSackPayload(bytes("0000000102" + "0000000000000001")),
    MalformedPayloadError,
  );
  assertThrows(() => decodeSackPayload(bytes("00000001")), MalformedPayloadError);
});

Deno.test("bandwidth probe pads the packet to 1400 bytes; ack is 12 bytes", () => {
  const payload = encodeBwProbePayload({ probeId: 0xa1b2c3d4, seq: 2, total: 8 });
  const packet = encodePacket({ type: PacketType.TransportBwProbe, routeId: 0, payload });
  assertEquals(packet.length, TRANSPORT_BW_PROBE_SIZE);
  assertEquals(
    packet.subarray(0, 15),
    bytes("12" + "00000000" + "0571" + "a1b2c3d4" + "0002" + "0008"),
  );
  assertEquals(decodeBwProbePayload(payload), { probeId: 0xa1b2c3d4, seq: 2, total: 8 });
  const ack = encodeBwAckPayload({ probeId: 1, estBps: 100_000_000n });
  assertEquals(ack, bytes("00000001" + "0000000005f5e100"));
  assertEquals(decodeBwAckPayload(ack), { probeId: 1, estBps: 100_000_000n });
  assertThrows(() => decodeBwAckPayload(new Uint8Array(11)), MalformedPayloadError);
  assertThrows(() => decodeBwProbePayload(new Uint8Array(7)), MalformedPayloadError);
});

Deno.test("KeepAlive packet is a bare header", () => {
  const packet = encodePacket({
    type: PacketType.KeepAlive,
    routeId: 0x10,
    payload: new Uint8Array(),
  });
  assertEquals(packet, bytes("02" + "00000010" + "0000"));
  assertEquals(decodePacket(packet).payload.length, 0);
});
