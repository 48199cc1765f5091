import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  InvalidFieldError,
  InvalidRouteDescriptorError,
  InvalidRuleError,
  ROUTE_DESCRIPTOR_SIZE,
  RouteDescriptor,
  Rule,
  RULE_SIZE,
  ruleFromSummary,
  type RuleSummary,
  ruleSummary,
  RuleType,
} from "../../../mod/routing/mod.ts";
import { bytes, PK_A, PK_B } from "./_helpers.ts";

const TP_ID = "0f1e2d3c-4b5a-0697-8877-665544332211";
const TP_ID_HEX = "0f1e2d3c4b5a06978877665544332211";
const KEEP_ALIVE_30S = "00000006fc23ac00"; // 30e9 ns
const DESC = RouteDescriptor.create({ srcPk: PK_A, dstPk: PK_B, srcPort: 1, dstPort: 0x5001 });
const DESC_BYTES = bytes(PK_A.view, PK_B.view, "0001", "5001");
const ZEROS_17 = "00".repeat(17);

Deno.test("RouteDescriptor is srcPK ‖ dstPK ‖ srcPort BE ‖ dstPort BE (70 bytes)", () => {
  assertEquals(DESC.bytes, DESC_BYTES);
  assertEquals(DESC.bytes.length, ROUTE_DESCRIPTOR_SIZE);
  const parsed = RouteDescriptor.fromBytes(DESC_BYTES);
  assert(parsed.srcPk.equals(PK_A) && parsed.dstPk.equals(PK_B));
  assertEquals([parsed.srcPort, parsed.dstPort], [1, 0x5001]);
  assert(parsed.equals(DESC));
  assertEquals(parsed.key(), DESC_BYTES.reduce((s, b) => s + b.toString(16).padStart(2, "0"), ""));
  assertEquals(
    parsed.toString(),
    `rAddr:${PK_B.hex()}:${0x5001}, lAddr:${PK_A.hex()}:1`,
  );
  assertEquals(parsed.fields(), {
    dst_pk: PK_B.hex(),
    src_pk: PK_A.hex(),
    dst_port: 0x5001,
    src_port: 1,
  });
});

Deno.test("RouteDescriptor.invert swaps keys and ports", () => {
  const inverted = DESC.invert();
  assertEquals(inverted.bytes, bytes(PK_B.view, PK_A.view, "5001", "0001"));
  assert(inverted.invert().equals(DESC));
});

Deno.test("RouteDescriptor refuses wrong sizes and reports off-curve keys only when asked", () => {
  for (const n of [0, 69, 71]) {
    assertThrows(() => RouteDescriptor.fromBytes(new Uint8Array(n)), InvalidRouteDescriptorError);
  }
  const junk = new Uint8Array(70).fill(0x05); // 0x05... is not a compressed-key prefix
  const desc = RouteDescriptor.fromBytes(junk);
  assertEquals(desc.srcPkHex, "05".repeat(33));
  assertEquals(desc.srcPort, 0x0505);
  assertThrows(() => desc.srcPk, InvalidRouteDescriptorError);
  assertThrows(() => desc.dstPk, InvalidRouteDescriptorError);
  assert(RouteDescriptor.fromBytes(new Uint8Array(70)).srcPk.isNull());
  assertThrows(
    () => RouteDescriptor.create({ srcPk: PK_A, dstPk: PK_B, srcPort: 65536, dstPort: 0 }),
    InvalidFieldError,
  );
});

Deno.test("Consume rule bytes: header ‖ descriptor, 83 bytes", () => {
  const expected = bytes(KEEP_ALIVE_30S, "00", "0000000a", DESC_BYTES);
  const rule = Rule.consume({ keepAliveMs: 30_000, keyRouteId: 10, descriptor: DESC });
  assertEquals(rule.bytes, expected);
  assertEquals(expected.length, 83);
  const parsed = Rule.fromBytes(expected);
  assertEquals(parsed.type, RuleType.Consume);
  assertEquals(parsed.typeName, "Consume");
  assertEquals(parsed.keepAliveNs, 30_000_000_000n);
  assertEquals(parsed.keepAliveMs, 30_000);
  assertEquals(parsed.keyRouteId, 10);
  assert(parsed.routeDescriptor.equals(DESC));
  assertThrows(() => parsed.nextRouteId, InvalidRuleError);
  assertThrows(() => parsed.nextTransportId, InvalidRuleError);
});

Deno.test("Forward rule bytes: header ‖ descriptor ‖ next route id ‖ tp id ‖ 17 zeros, 120 bytes", () => {
  const expected = bytes(
    KEEP_ALIVE_30S,
    "01",
    "fffffffe",
    DESC_BYTES,
    "000000ff",
    TP_ID_HEX,
    ZEROS_17,
  );
  assertEquals(expected.length, 120);
  const rule = Rule.forward({
    keepAliveNs: 30_000_000_000n,
    keyRouteId: 0xfffffffe,
    descriptor: DESC,
    nextRouteId: 0xff,
    nextTransportId: TP_ID,
  });
  assertEquals(rule.bytes, expected);
  const parsed = Rule.fromBytes(expected);
  assertEquals(parsed.type, RuleType.Forward);
  assertEquals(parsed.keyRouteId, 0xfffffffe);
  assertEquals(parsed.nextRouteId, 0xff);
  assertEquals(parsed.nextTransportId, TP_ID);
  assertEquals(parsed.nextTransportIdBytes, bytes(TP_ID_HEX));
  assert(parsed.routeDescriptor.equals(DESC));
  assertEquals(
    parsed.toString(),
    `FWD(keyRtID:4294967294, nxtRtID:255, nxtTpID:${TP_ID}, ${DESC})`,
  );
});

Deno.test("IntermediaryForward rule bytes: header ‖ next route id ‖ tp id ‖ 17 zeros, 50 bytes", () => {
  const expected = bytes(KEEP_ALIVE_30S, "02", "00000001", "00000002", TP_ID_HEX, ZEROS_17);
  assertEquals(expected.length, 50);
  const rule = Rule.intermediaryForward({
    keepAliveMs: 30_000,
    keyRouteId: 1,
    nextRouteId: 2,
    nextTransportId: bytes(TP_ID_HEX),
  });
  assertEquals(rule.bytes, expected);
  const parsed = Rule.fromBytes(expected);
  assertEquals([parsed.type, parsed.keyRouteId, parsed.nextRouteId], [2, 1, 2]);
  assertEquals(parsed.nextTransportId, TP_ID);
  assertThrows(() => parsed.routeDescriptor, InvalidRuleError);
  assertEquals(parsed.toString(), `INTER(keyRtID:1, nxtRtID:2, nxtTpID:${TP_ID})`);
});

Deno.test("Rule.fromBytes checks type and the length its fields need", () => {
  const minimum = {
    [RuleType.Consume]: 83,
    [RuleType.Forward]: 103,
    [RuleType.IntermediaryForward]: 33,
  };
  for (const type of [0, 1, 2] as const) {
    for (let n = 0; n < minimum[type]; n++) {
      const b = new Uint8Array(n);
      if (n > 8) b[8] = type;
      assertThrows(() => Rule.fromBytes(b), InvalidRuleError);
    }
    const b = new Uint8Array(minimum[type]);
    b[8] = type;
    assertEquals(Rule.fromBytes(b).type, type);
    const longer = new Uint8Array(RULE_SIZE[type] + 5);
    longer[8] = type;
    assertEquals(Rule.fromBytes(longer).bytes.length, RULE_SIZE[type] + 5);
  }
  const unknown = new Uint8Array(120);
  unknown[8] = 3;
  assertThrows(() => Rule.fromBytes(unknown), InvalidRuleError, "unknown rule type 3");
});

Deno.test("Rule keep-alive: ms to ns, negative clamps to 0, beyond int64 refused, read signed", () => {
  const base = { keyRouteId: 1, descriptor: DESC };
  assertEquals(Rule.consume({ ...base, keepAliveMs: 1.5 }).keepAliveNs, 1_500_000n);
  assertEquals(Rule.consume({ ...base, keepAliveMs: -5 }).keepAliveNs, 0n);
  assertEquals(
    Rule.consume({ ...base, keepAliveNs: (1n << 63n) - 1n }).bytes.subarray(0, 8),
    bytes("7fffffffffffffff"),
  );
  assertThrows(() => Rule.consume({ ...base, keepAliveNs: 1n << 63n }), InvalidFieldError);
  assertThrows(() => Rule.consume({ ...base, keepAliveMs: NaN }), InvalidFieldError);
  assertThrows(() => Rule.consume({ keyRouteId: 1, descriptor: DESC }), InvalidFieldError);
  assertThrows(() => Rule.consume({ ...base, keepAliveMs: 1, keepAliveNs: 1n }), InvalidFieldError);
  // Go reads the field into a signed time.Duration.
  const negative = Rule.consume({ ...base, keepAliveMs: 1 }).bytes.slice();
  negative.fill(0xff, 0, 8);
  assertEquals(Rule.fromBytes(negative).keepAliveNs, -1n);
});

Deno.test("Rule constructors refuse out-of-range ids and bad transport ids", () => {
  const base = { keepAliveMs: 1, nextTransportId: TP_ID };
  assertThrows(
    () => Rule.intermediaryForward({ ...base, keyRouteId: -1, nextRouteId: 1 }),
    InvalidFieldError,
  );
  assertThrows(
    () => Rule.intermediaryForward({ ...base, keyRouteId: 1, nextRouteId: 2 ** 32 }),
    InvalidFieldError,
  );
  assertThrows(
    () =>
      Rule.intermediaryForward({ ...base, keyRouteId: 1, nextRouteId: 1, nextTransportId: "nope" }),
    InvalidFieldError,
  );
  assertThrows(
    () =>
      Rule.intermediaryForward({
        ...base,
        keyRouteId: 1,
        nextRouteId: 1,
        nextTransportId: new Uint8Array(15),
      }),
    InvalidFieldError,
  );
});

Deno.test("withKeyRouteId copies the rule under a new key", () => {
  const rule = Rule.intermediaryForward({
    keepAliveMs: 1,
    keyRouteId: 1,
    nextRouteId: 2,
    nextTransportId: TP_ID,
  });
  const moved = rule.withKeyRouteId(77);
  assertEquals([rule.keyRouteId, moved.keyRouteId], [1, 77]);
  assertEquals(moved.bytes.subarray(13), rule.bytes.subarray(13));
});

Deno.test("ruleSummary writes Go's RuleSummary JSON and ruleFromSummary reads it back", () => {
  const consume = Rule.consume({ keepAliveMs: 30_000, keyRouteId: 10, descriptor: DESC });
  const forward = Rule.forward({
    keepAliveMs: 30_000,
    keyRouteId: 11,
    descriptor: DESC,
    nextRouteId: 12,
    nextTransportId: TP_ID,
  });
  const inter = Rule.intermediaryForward({
    keepAliveMs: 30_000,
    keyRouteId: 13,
    nextRouteId: 14,
    nextTransportId: TP_ID,
  });
  const rd = `{"dst_pk":"${PK_B.hex()}","src_pk":"${PK_A.hex()}","dst_port":20481,"src_port":1}`;
  assertEquals(
    JSON.stringify(ruleSummary(consume)),
    `{"keep_alive":30000000000,"rule_type":0,"key_route_id":10,"app_fields":{"route_descriptor":${rd}}}`,
  );
  assertEquals(
    JSON.stringify(ruleSummary(forward)),
    `{"keep_alive":30000000000,"rule_type":1,"key_route_id":11,"forward_fields":{"route_descriptor":${rd},"next_rid":12,"next_tid":"${TP_ID}"}}`,
  );
  assertEquals(
    JSON.stringify(ruleSummary(inter)),
    `{"keep_alive":30000000000,"rule_type":2,"key_route_id":13,"intermediary_forward_fields":{"next_rid":14,"next_tid":"${TP_ID}"}}`,
  );
  for (const rule of [consume, forward, inter]) {
    const json = JSON.parse(JSON.stringify(ruleSummary(rule)));
    assertEquals(ruleFromSummary(json).bytes, rule.bytes);
  }
});

Deno.test("ruleFromSummary refuses summaries Go refuses", () => {
  const good = ruleSummary(Rule.consume({ keepAliveMs: 1, keyRouteId: 1, descriptor: DESC }));
  const bad: unknown[] = [
    null,
    { ...good, rule_type: 1 },
    { ...good, rule_type: 3 },
    { ...good, forward_fields: { next_rid: 1, next_tid: TP_ID } },
    { keep_alive: 1, rule_type: 0, key_route_id: 1 },
    { ...good, keep_alive: "1" },
    { ...good, key_route_id: -1 },
    {
      ...good,
      app_fields: { route_descriptor: { ...good.app_fields!.route_descriptor, src_pk: "zz" } },
    },
    { ...good, app_fields: { route_descriptor: null } },
    {
      keep_alive: 1,
      rule_type: 2,
      key_route_id: 1,
      intermediary_forward_fields: { next_rid: 1, next_tid: "x" },
    },
  ];
  for (const summary of bad) {
    assertThrows(
      () => ruleFromSummary(summary as RuleSummary),
      InvalidRuleError,
      undefined,
      JSON.stringify(summary),
    );
  }
});
