import { assert, assertEquals, assertThrows } from "@std/assert";
import { deadline } from "@std/async";
import {
  InvalidFieldError,
  InvalidRuleError,
  MAX_ROUTE_ID,
  RouteDescriptor,
  RoutingTable,
  Rule,
} from "../../../mod/routing/mod.ts";
import { PK_A, PK_B } from "./_helpers.ts";

const DESC = RouteDescriptor.create({ srcPk: PK_A, dstPk: PK_B, srcPort: 1, dstPort: 2 });
const TP_ID = "00000000-0000-0000-8000-000000000001";

function consume(key: number, keepAliveMs = 1000): Rule {
  return Rule.consume({ keepAliveMs, keyRouteId: key, descriptor: DESC });
}

function forward(key: number, keepAliveMs = 1000): Rule {
  return Rule.forward({
    keepAliveMs,
    keyRouteId: key,
    descriptor: DESC,
    nextRouteId: 9,
    nextTransportId: TP_ID,
  });
}

function intermediary(key: number, keepAliveMs = 1000): Rule {
  return Rule.intermediaryForward({
    keepAliveMs,
    keyRouteId: key,
    nextRouteId: 9,
    nextTransportId: TP_ID,
  });
}

/** A table on a hand-moved clock, with no sweep timer. */
function manualTable(options: { firstRouteId?: number; reservationTtlMs?: number } = {}) {
  const clock = { now: 0 };
  const table = new RoutingTable({ ...options, now: () => clock.now, gcIntervalMs: 0 });
  return { table, clock };
}

Deno.test("reserveIds hands out unique ids from 1 and never 0", () => {
  using t = manualTable().table;
  assertEquals(t.reserveIds(0), []);
  assertEquals(t.reserveIds(3), [1, 2, 3]);
  const seen = new Set<number>([1, 2, 3]);
  for (let i = 0; i < 100; i++) {
    for (const id of t.reserveIds(255)) {
      assert(id >= 1 && !seen.has(id), `id ${id} repeated or zero`);
      seen.add(id);
    }
  }
  assertEquals(seen.size, 3 + 25500);
  for (const n of [-1, 1.5, 0x10000, NaN]) assertThrows(() => t.reserveIds(n), InvalidFieldError);
});

Deno.test("reserveIds wraps from 2^32-1 to 1, skipping 0, held rules and pending reservations", () => {
  const { table } = manualTable({ firstRouteId: MAX_ROUTE_ID - 2 });
  using t = table;
  t.saveRule(consume(1));
  t.saveRule(forward(3));
  assertEquals(t.reserveIds(5), [MAX_ROUTE_ID - 2, MAX_ROUTE_ID - 1, MAX_ROUTE_ID, 2, 4]);
  assertEquals(t.stats().pendingReservations, 5);
  // Saving a rule under a reserved id turns the reservation into the rule.
  t.saveRule(intermediary(MAX_ROUTE_ID));
  assertEquals(t.stats().pendingReservations, 4);
  assertEquals(t.reserveIds(1), [5]);
});

Deno.test("a rule expires once idle strictly longer than its keep-alive", () => {
  const { table, clock } = manualTable();
  using t = table;
  const rule = forward(7, 1000);
  t.saveRule(rule);
  clock.now = 1000;
  assertEquals(t.getRule(7), rule);
  assertEquals(t.collectExpired(), []);
  clock.now = 1001;
  assertEquals(t.getRule(7), undefined); // timed out, left for the sweep as in Go
  assertEquals(t.touch(7), false);
  assertEquals(t.size, 1);
  assertEquals(t.allRules(), []);
  assertEquals(t.collectExpired(), [rule]);
  assertEquals(t.size, 0);
  assertEquals(t.stats().expired, 1);
});

Deno.test("lookups refresh Consume rules only; touch refreshes any rule", () => {
  const { table, clock } = manualTable();
  using t = table;
  t.saveRule(consume(1));
  t.saveRule(forward(2));
  t.saveRule(intermediary(3));
  clock.now = 900;
  t.getRule(1);
  t.getRule(2);
  t.touch(3);
  clock.now = 1500;
  assertEquals(t.collectExpired().map((r) => r.keyRouteId), [2]);
  clock.now = 1901;
  assertEquals(t.collectExpired().map((r) => r.keyRouteId).sort(), [1, 3]);
});

Deno.test("collectExpired takes an explicit time and drops stale reservations", () => {
  const { table } = manualTable({ reservationTtlMs: 100 });
  using t = table;
  t.reserveIds(2);
  t.saveRule(consume(5, 150));
  assertEquals(t.collectExpired(100), []);
  assertEquals(t.stats().pendingReservations, 2);
  assertEquals(t.collectExpired(101), []);
  assertEquals(t.stats().pendingReservations, 0);
  assertEquals(t.collectExpired(151).map((r) => r.keyRouteId), [5]);
});

Deno.test("a negative keep-alive (Go reads it signed) is always expired", () => {
  const { table } = manualTable();
  using t = table;
  const bytes = consume(4).bytes.slice();
  bytes.fill(0xff, 0, 8);
  t.saveRule(Rule.fromBytes(bytes));
  assertEquals(t.getRule(4), undefined);
  assertEquals(t.collectExpired().length, 1);
});

Deno.test("deleteRule is identity-checked when given the expected rule", () => {
  const { table } = manualTable();
  using t = table;
  const old = consume(8);
  const newer = consume(8);
  t.saveRule(old);
  t.saveRule(newer);
  assertEquals(t.deleteRule(8, old), false);
  assertEquals(t.getRule(8), newer);
  assertEquals(t.deleteRule(8, newer), true);
  assertEquals(t.deleteRule(8), false);
  t.saveRule(consume(9));
  t.saveRule(consume(10));
  assertEquals(t.deleteRules([9, 10, 11]).map((r) => r.keyRouteId), [9, 10]);
  assertEquals(t.stats().deleted, 3);
});

Deno.test("rulesWithDescriptor finds unexpired edge rules of one route", () => {
  const { table, clock } = manualTable();
  using t = table;
  const other = RouteDescriptor.create({ srcPk: PK_A, dstPk: PK_B, srcPort: 1, dstPort: 3 });
  t.saveRule(consume(1));
  t.saveRule(forward(2, 10));
  t.saveRule(intermediary(3));
  t.saveRule(Rule.consume({ keepAliveMs: 1000, keyRouteId: 4, descriptor: other }));
  assertEquals(t.rulesWithDescriptor(DESC).map((r) => r.keyRouteId).sort(), [1, 2]);
  clock.now = 11;
  assertEquals(t.rulesWithDescriptor(DESC).map((r) => r.keyRouteId), [1]);
});

Deno.test("saveRule refuses key route id 0", () => {
  const { table } = manualTable();
  using t = table;
  assertThrows(() => t.saveRule(consume(0)), InvalidRuleError);
});

Deno.test("the sweep timer hands expired rules to onExpired and close() stops it", async () => {
  let resolve!: (rules: Rule[]) => void;
  const expired = new Promise<Rule[]>((r) => resolve = r);
  const table = new RoutingTable({ gcIntervalMs: 5, onExpired: resolve });
  table.saveRule(consume(1, 0));
  const rules = await deadline(expired, 5000);
  assertEquals(rules.map((r) => r.keyRouteId), [1]);
  table.close();
  table.close();
  assertEquals(table.stats().rules, 0);
});

Deno.test("a failing onExpired handler does not break the sweep", async () => {
  const seen: number[] = [];
  let resolve!: () => void;
  const secondSweep = new Promise<void>((r) => resolve = r);
  const table: RoutingTable = new RoutingTable({
    gcIntervalMs: 5,
    onExpired: (rules) => {
      seen.push(...rules.map((r) => r.keyRouteId));
      if (seen.length === 1) table.saveRule(consume(2, 0));
      else resolve();
      throw new Error("handler bug");
    },
  });
  table.saveRule(consume(1, 0));
  await deadline(secondSweep, 5000);
  table.close();
  assertEquals(seen, [1, 2]);
});

Deno.test("reserve/save/delete churn leaves no entries behind", () => {
  const { table, clock } = manualTable({ reservationTtlMs: 10 });
  using t = table;
  for (let round = 0; round < 2000; round++) {
    const [a, b, c] = t.reserveIds(3);
    t.saveRule(consume(a));
    t.saveRule(forward(b));
    if (round % 2) t.deleteRules([a, b]);
    else t.deleteRule(a) && t.deleteRule(b);
    void c; // never used: the reservation TTL must reclaim it
    clock.now++;
  }
  clock.now += 1000;
  t.collectExpired();
  const stats = t.stats();
  assertEquals([stats.rules, stats.pendingReservations], [0, 0]);
  assertEquals([stats.reserved, stats.saved, stats.deleted], [6000, 4000, 4000]);
});

Deno.test("hasRule sees expired rules, checks identity when asked, and is no activity", () => {
  const { table, clock } = manualTable();
  using t = table;
  const rule = consume(1);
  t.saveRule(rule);
  clock.now = 1500;
  assert(t.hasRule(1));
  assert(t.hasRule(1, rule));
  assert(!t.hasRule(1, consume(1)), "another object under the same key");
  assert(!t.hasRule(2));
  assertEquals(t.collectExpired().length, 1, "hasRule did not refresh the rule");
  assert(!t.hasRule(1));
});
