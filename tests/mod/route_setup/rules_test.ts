import { assert, assertEquals, assertThrows } from "@std/assert";
import { bytesToHex, type PubKey } from "../../../mod/cipher/mod.ts";
import {
  checkRoute,
  generateRules,
  reservationCounts,
  RouteSetupError,
} from "../../../mod/route_setup/mod.ts";
import {
  RouteDescriptor,
  type RouteId,
  type routingGob,
  Rule,
  RuleType,
} from "../../../mod/routing/mod.ts";
import { goSetup, keys, routeAlong, routeFromVector } from "./_routes.ts";

// Ids each visor hands out, counting up from `first` (as the capture's stub routers did).
function reserve(route: routingGob.BidirectionalRoute, first: Record<string, number>) {
  const reserved = new Map<string, RouteId[]>();
  for (const [hex, n] of reservationCounts(route)) {
    reserved.set(hex, Array.from({ length: n }, (_, i) => first[hex] + i));
  }
  return reserved;
}

Deno.test("rules: the same bytes Go's setup node sent in the captured set-up", () => {
  const call = goSetup.visor_capture.calls[0];
  const route = routeFromVector(call.args);
  const visors = goSetup.hop_visor_captures;
  const list = Object.values(visors) as Array<
    { pk: string; first_route_id: number; reserve_ids_n: number[] }
  >;
  const first = Object.fromEntries(list.map((v) => [v.pk, Number(v.first_route_id)]));
  const counts = reservationCounts(route);
  for (const v of list) {
    assertEquals([counts.get(v.pk)], v.reserve_ids_n.map(Number));
  }
  const rules = generateRules(route, checkRoute(route), reserve(route, first));
  const hex = (er: routingGob.EdgeRules) => ({
    Desc: bytesToHex(er.Desc),
    Forward: bytesToHex(er.Forward),
    Reverse: bytesToHex(er.Reverse),
  });
  assertEquals(hex(rules.initiator), { ...call.reply, Desc: call.reply.Desc.bytes });
  const responder = visors.responder.received_edge_rules[0];
  assertEquals(hex(rules.responder), { ...responder, Desc: responder.Desc.bytes });
  assertEquals(rules.intermediaries.map((g) => [g.pk.hex(), g.rules.map(bytesToHex)]), [
    [visors.hop.pk, visors.hop.received_intermediary_rules],
  ]);
});

// Follow a packet from `from`'s Forward rule through the tables to a Consume rule.
function walk(
  tables: Map<string, Map<RouteId, Rule>>,
  start: Rule,
  route: routingGob.Hop[],
): { end: string; desc: RouteDescriptor } {
  let rule = start;
  for (const hop of route) {
    assertEquals(rule.nextTransportId, hop.TpID);
    const next = tables.get(hop.To.hex())!.get(rule.nextRouteId);
    assert(next, `no rule ${rule.nextRouteId} at ${hop.To.hex()}`);
    rule = next;
  }
  assertEquals(rule.type, RuleType.Consume);
  return { end: route.at(-1)!.To.hex(), desc: rule.routeDescriptor };
}

function installAndWalk(path: PubKey[], ports: [number, number] = [49153, 3]) {
  const route = routeAlong(path, ports);
  const desc = checkRoute(route);
  const first = Object.fromEntries(path.map((pk, i) => [pk.hex(), 100 * (i + 1)]));
  const rules = generateRules(route, desc, reserve(route, first));
  const tables = new Map<string, Map<RouteId, Rule>>(path.map((pk) => [pk.hex(), new Map()]));
  const save = (pk: string, bytes: Uint8Array) => {
    const rule = Rule.fromBytes(bytes);
    const table = tables.get(pk)!;
    assert(!table.has(rule.keyRouteId), "two rules under one key");
    table.set(rule.keyRouteId, rule);
  };
  for (const group of rules.intermediaries) {
    for (const bytes of group.rules) save(group.pk.hex(), bytes);
  }
  const src = path[0].hex(), dst = path.at(-1)!.hex();
  save(src, rules.initiator.Forward);
  save(src, rules.initiator.Reverse);
  save(dst, rules.responder.Forward);
  save(dst, rules.responder.Reverse);
  // Forward from the source ends at the destination's Consume rule, and back.
  const there = walk(tables, Rule.fromBytes(rules.initiator.Forward), route.Forward);
  assertEquals(there.end, dst);
  assert(there.desc.equals(desc));
  assert(RouteDescriptor.fromBytes(rules.responder.Desc).equals(desc));
  const back = walk(tables, Rule.fromBytes(rules.responder.Forward), route.Reverse);
  assertEquals(back.end, src);
  assert(back.desc.equals(desc.invert()));
  assert(RouteDescriptor.fromBytes(rules.initiator.Desc).equals(desc.invert()));
  return { rules, tables };
}

Deno.test("rules: 1-hop and 3-hop routes chain to the far Consume rule and back", () => {
  const one = installAndWalk(keys(2));
  assertEquals(one.rules.intermediaries, []);
  const three = installAndWalk(keys(4));
  assertEquals(three.rules.intermediaries.length, 2);
  // Each intermediary holds one rule per direction.
  for (const g of three.rules.intermediaries) assertEquals(g.rules.length, 2);
});

Deno.test("rules: a loop route A→B→A (visor ping) keeps both ends apart by port", () => {
  const [a, b] = keys(2);
  const { rules, tables } = installAndWalk([a, b, a], [49153, 49154]);
  assertEquals(rules.intermediaries.map((g) => g.pk.hex()), [b.hex()]);
  assertEquals(tables.get(a.hex())!.size, 4);
});

Deno.test("rules: too few reserved ids is Go's 'id reservoir has no key'", () => {
  const route = routeAlong(keys(3));
  const reserved = reserve(
    route,
    Object.fromEntries(
      [...reservationCounts(route).keys()].map((hex) => [hex, 1]),
    ),
  );
  const [hex] = reserved.keys();
  reserved.set(hex, reserved.get(hex)!.slice(1));
  const error = assertThrows(
    () => generateRules(route, checkRoute(route), reserved),
    RouteSetupError,
    "id reservoir has no key",
  );
  assertEquals(error.code, "reserve");
});
