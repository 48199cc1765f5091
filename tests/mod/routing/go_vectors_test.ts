/**
 * The routing vectors Go 2024 produced (`tests/testdata/go-skywire-2024-vectors.json`, see its
 * README): every packet, rule and descriptor is decoded and re-encoded byte for byte.
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import { bytesToHex, hexToBytes, makeTransportId, PubKey } from "../../../mod/cipher/mod.ts";
import {
  decodeClosePayload,
  decodeHandshakePayload,
  decodePacket,
  decodePingPayload,
  decodePongPayload,
  encodeClosePayload,
  encodeHandshakePayload,
  encodePacket,
  encodePingPayload,
  encodePongPayload,
  PACKET_HEADER_SIZE,
  PacketType,
  packetTypeName,
  PayloadTooLargeError,
  RouteDescriptor,
  Rule,
  RULE_HEADER_SIZE,
  ruleFromSummary,
  ruleSummary,
  RuleType,
} from "../../../mod/routing/mod.ts";

interface DescriptorVector {
  bytes: string;
  src_pk: string;
  dst_pk: string;
  src_port: number;
  dst_port: number;
}

interface PacketVector {
  constructor: string;
  bytes?: string;
  type?: number;
  type_name?: string;
  route_id?: number;
  payload_size?: number;
  payload?: string;
  go_error?: string;
}

interface RuleVector {
  constructor: string;
  bytes: string;
  size: number;
  keep_alive_ns: number;
  type: number;
  type_name: string;
  key_route_id: number;
  route_descriptor?: DescriptorVector;
  next_route_id?: number;
  next_transport_id?: string;
  next_transport_id_bytes?: string;
  go_string: string;
  summary_json: string;
}

interface EdgeRulesVector {
  Desc: DescriptorVector;
  Forward: string;
  Reverse: string;
}

const vectors = JSON.parse(
  await Deno.readTextFile(new URL("../../testdata/go-skywire-2024-vectors.json", import.meta.url)),
);
const routing = vectors.routing;
const keys: Record<string, string> = vectors.keys;

function descriptorFrom(v: DescriptorVector): RouteDescriptor {
  return RouteDescriptor.create({
    srcPk: PubKey.fromHex(v.src_pk),
    dstPk: PubKey.fromHex(v.dst_pk),
    srcPort: v.src_port,
    dstPort: v.dst_port,
  });
}

function assertDescriptor(desc: RouteDescriptor, v: DescriptorVector): void {
  assertEquals(bytesToHex(desc.bytes), v.bytes);
  assertEquals([desc.srcPkHex, desc.dstPkHex, desc.srcPort, desc.dstPort], [
    v.src_pk,
    v.dst_pk,
    v.src_port,
    v.dst_port,
  ]);
  assert(desc.srcPk.equals(PubKey.fromHex(v.src_pk)));
}

Deno.test("Go vectors: packet constants", () => {
  assertEquals(routing.packet_header_size, PACKET_HEADER_SIZE);
  assertEquals(routing.rule_header_size, RULE_HEADER_SIZE);
});

Deno.test("Go vectors: every 2024 packet decodes and re-encodes byte for byte", () => {
  const packets: PacketVector[] = routing.packets;
  assertEquals(packets.filter((p) => p.bytes).length, 9);
  for (const v of packets) {
    if (v.go_error) {
      // MakeDataPacket with 65536 bytes: Go refuses with ErrPayloadTooBig.
      assertEquals(v.go_error, "packet size exceeded");
      assertThrows(
        () => encodePacket({ type: 0, routeId: 1, payload: new Uint8Array(65536) }),
        PayloadTooLargeError,
      );
      continue;
    }
    const wire = hexToBytes(v.bytes!);
    const packet = decodePacket(wire);
    assertEquals(packet.type, v.type, v.constructor);
    assertEquals(packetTypeName(packet.type), v.type_name, v.constructor);
    assertEquals(packet.routeId, v.route_id, v.constructor);
    assertEquals(packet.payload.length, v.payload_size, v.constructor);
    assertEquals(bytesToHex(packet.payload), v.payload, v.constructor);
    assertEquals(packet.frame.length, wire.length);
    assertEquals(
      encodePacket({ type: v.type!, routeId: v.route_id!, payload: hexToBytes(v.payload!) }),
      wire,
      v.constructor,
    );
  }
});

Deno.test("Go vectors: packet payloads decode to the constructor arguments and back", () => {
  const byConstructor = new Map<string, Uint8Array>(
    (routing.packets as PacketVector[]).filter((p) => p.payload !== undefined).map((
      p,
    ) => [p.constructor, hexToBytes(p.payload!)]),
  );
  const payload = (name: string) => {
    const found = byConstructor.get(name);
    assert(found, `vector ${name} missing`);
    return found;
  };
  const close = payload("MakeClosePacket(7, CloseRequested)");
  assertEquals(decodeClosePayload(close), 0);
  assertEquals(encodeClosePayload(0), close);

  for (const encrypt of [true, false]) {
    const hs = payload(`MakeHandshakePacket(7, ${encrypt})`);
    assertEquals(decodeHandshakePayload(hs), { encrypt, capabilities: 0 });
    assertEquals(encodeHandshakePayload({ encrypt }), hs);
  }

  const ping = payload("MakePingPacket(7, 1711558562000000000, 123456)");
  assertEquals(decodePingPayload(ping), { timestamp: 1711558562000000000n, throughput: 123456n });
  assertEquals(encodePingPayload({ timestamp: 1711558562000000000n, throughput: 123456n }), ping);

  const pong = payload("MakePongPacket(7, 1711558562000000000)");
  assertEquals(decodePongPayload(pong), { timestamp: 1711558562000000000n, extra: 0n });
  assertEquals(encodePongPayload({ timestamp: 1711558562000000000n }), pong);

  const error = payload('MakeErrorPacket(9, "route not found")');
  assertEquals(new TextDecoder().decode(error), "route not found");

  assertEquals(
    bytesToHex(encodePacket({ type: PacketType.KeepAlive, routeId: 7, payload: new Uint8Array() })),
    routing.keep_alive.keep_alive_packet,
  );
});

Deno.test("Go vectors: the three rule layouts parse, rebuild and summarise as Go does", () => {
  const rules: RuleVector[] = routing.rules;
  assertEquals(rules.map((r) => r.size), [83, 120, 50]);
  for (const v of rules) {
    const wire = hexToBytes(v.bytes);
    assertEquals(wire.length, v.size);
    const rule = Rule.fromBytes(wire);
    assertEquals(rule.type, v.type);
    assertEquals(rule.typeName, v.type_name);
    assertEquals(rule.keepAliveNs, BigInt(v.keep_alive_ns));
    assertEquals(rule.keyRouteId, v.key_route_id);
    assertEquals(rule.toString(), v.go_string);
    assertEquals(JSON.stringify(ruleSummary(rule)), v.summary_json);
    assertEquals(ruleFromSummary(JSON.parse(v.summary_json)).bytes, wire);

    const header = { keepAliveNs: BigInt(v.keep_alive_ns), keyRouteId: v.key_route_id };
    let rebuilt: Rule;
    if (v.type === RuleType.Consume) {
      assertDescriptor(rule.routeDescriptor, v.route_descriptor!);
      rebuilt = Rule.consume({ ...header, descriptor: descriptorFrom(v.route_descriptor!) });
    } else {
      assertEquals(rule.nextRouteId, v.next_route_id);
      assertEquals(rule.nextTransportId, v.next_transport_id);
      assertEquals(bytesToHex(rule.nextTransportIdBytes), v.next_transport_id_bytes);
      const next = { nextRouteId: v.next_route_id!, nextTransportId: v.next_transport_id! };
      if (v.type === RuleType.Forward) {
        assertDescriptor(rule.routeDescriptor, v.route_descriptor!);
        rebuilt = Rule.forward({
          ...header,
          ...next,
          descriptor: descriptorFrom(v.route_descriptor!),
        });
      } else {
        rebuilt = Rule.intermediaryForward({ ...header, ...next });
      }
    }
    assertEquals(rebuilt.bytes, wire, v.constructor);
  }
});

Deno.test("Go vectors: route descriptor and its inverse", () => {
  const v = routing.route_descriptor;
  assertEquals(v.size, 70);
  const desc = descriptorFrom(v.value);
  assertDescriptor(desc, v.value);
  assertDescriptor(RouteDescriptor.fromBytes(hexToBytes(v.value.bytes)), v.value);
  assertDescriptor(desc.invert(), v.inverted);
  assertEquals(desc.toString(), v.go_string);
  assertEquals(v.value.src_pk, keys.initiator_pk);
});

Deno.test("Go vectors: rule keep-alive header bytes (negative stored as 0)", () => {
  for (const v of routing.keep_alive.rule_keep_alive) {
    const rule = Rule.intermediaryForward({
      keepAliveNs: BigInt(v.keep_alive_ns),
      keyRouteId: 1,
      nextRouteId: 0,
      nextTransportId: new Uint8Array(16),
    });
    assertEquals(bytesToHex(rule.bytes.subarray(0, RULE_HEADER_SIZE)), v.rule_header_bytes);
    assertEquals(rule.keepAliveNs, BigInt(v.rule_keep_alive_ns));
  }
  assertEquals(routing.keep_alive.default_route_keep_alive_ns, 30e9); // 2024; 2026 uses 10 min
});

Deno.test("Go vectors: transport ids in the rules are the deterministic ids", () => {
  const pk = (name: string) => PubKey.fromHex(keys[`${name}_pk`]);
  const used: Record<string, string> = routing.transport_ids_used;
  assertEquals(
    used["tp(initiator,hop,stcpr)"],
    makeTransportId(pk("initiator"), pk("hop"), "stcpr"),
  );
  assertEquals(used["tp(hop,responder,dmsg)"], makeTransportId(pk("hop"), pk("responder"), "dmsg"));
});

Deno.test("Go vectors: rules carried by route setup and gob parse and round-trip", () => {
  const setup = vectors.rpc.route_setup;
  // Edge rules the Go setup node built; gob.edge_rules is a hand-made fixture, checked below.
  const edge: EdgeRulesVector[] = [
    setup.visor_capture.calls[0].reply,
    ...setup.hop_visor_captures.responder.received_edge_rules,
  ];
  const loose: string[] = [
    ...setup.hop_visor_captures.hop.received_intermediary_rules,
    vectors.gob.rule_forward.value,
    vectors.gob.rule_intermediary.value,
    ...vectors.gob.rules.value,
    vectors.gob.edge_rules.value.Forward,
    vectors.gob.edge_rules.value.Reverse,
  ];
  for (const er of edge) {
    const desc = RouteDescriptor.fromBytes(hexToBytes(er.Desc.bytes));
    assertDescriptor(desc, er.Desc);
    const forward = Rule.fromBytes(hexToBytes(er.Forward));
    const reverse = Rule.fromBytes(hexToBytes(er.Reverse));
    assertEquals([forward.type, reverse.type], [RuleType.Forward, RuleType.Consume]);
    // Both edge rules name the same route, one from each end.
    assert(forward.routeDescriptor.equals(reverse.routeDescriptor.invert()));
    // Go's setup node sends each edge the Consume rule's descriptor as Desc.
    assert(desc.equals(reverse.routeDescriptor));
    loose.push(er.Forward, er.Reverse);
  }
  for (const hex of loose) {
    const rule = Rule.fromBytes(hexToBytes(hex));
    assertEquals(bytesToHex(ruleFromSummary(ruleSummary(rule)).bytes), hex);
  }
  assertEquals(loose.length, 2 + 1 + 1 + 2 + 2 + 4);
});
