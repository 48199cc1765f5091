/**
 * The Routes page and Go's `/routes`, `/routegroups` API paths against a real node: `up`'s
 * proxy client holds a real route group to the exit visor, and a rule added through the
 * router's API is listed, shown and removed.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import type { RuleSummary } from "../../../services/visor/mod.ts";
import { CookieClient, startTestNode, type TestNode } from "../_node.ts";

// An IntermediaryForward rule under a route id the router does not hand out this early.
const EXTRA_ID = 77_777;

async function routeGroup(node: TestNode) {
  const routes = node.network.visor.api.routes;
  for (let i = 0; i < 200; i++) {
    const [group] = await routes.groups();
    if (group) return group;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the proxy client made no route group");
}

function extraRule(id: number, tid: string): RuleSummary {
  return {
    keep_alive: 30e9,
    rule_type: 2,
    key_route_id: id,
    intermediary_forward_fields: { next_rid: 9, next_tid: tid },
  };
}

Deno.test("Go's /routes and /routegroups answer the router's rules and groups in Go's shape", async () => {
  await using node = await startTestNode();
  const client = new CookieClient(node.url);
  await client.setup();
  const { pk } = node.network.info.visor;
  const routes = node.network.visor.api.routes;
  const group = await routeGroup(node);
  await routes.addRule(extraRule(EXTRA_ID, group.transport_id));
  const base = `/api/visors/${pk}`;

  let response = await client.fetch(`${base}/routes`);
  assertEquals(response.status, 200);
  const listed = await response.json();
  const rules = await routes.rules();
  assertEquals(listed.map((r: { key: number }) => r.key), rules.map((r) => r.key_route_id));
  assert(listed.every((r: object) => !("rule_summary" in r)), "no summary unless asked, as Go");
  const extra = listed.find((r: { key: number }) => r.key === EXTRA_ID);
  // IntermediaryForward: header, next route id, transport id, Go's 17 padding bytes.
  assertMatch(extra.rule, /^[0-9a-f]{100}$/);
  // Header: keep-alive 30 s in ns, type 2, key route id (Go's big-endian layout).
  assertEquals(extra.rule.slice(0, 26), "00000006fc23ac00" + "02" + "00012fd1");

  response = await client.fetch(`${base}/routes?summary=true`);
  assertEquals(
    (await response.json()).map((r: { rule_summary: RuleSummary }) => r.rule_summary),
    rules,
  );
  response = await client.fetch(`${base}/routes?summary=maybe`);
  assertEquals(response.status, 400);
  await response.body?.cancel();

  response = await client.fetch(`${base}/routes/${EXTRA_ID}`);
  assertEquals(await response.json(), {
    key: EXTRA_ID,
    rule: extra.rule,
    rule_summary: extraRule(EXTRA_ID, group.transport_id),
  });
  for (const [rid, status] of [["424242", 404], ["x1", 400], ["0", 400]] as const) {
    response = await client.fetch(`${base}/routes/${rid}`);
    assertEquals(response.status, status, rid);
    assert(typeof (await response.json()).error === "string");
  }

  // Go's route group: the Consume rule's descriptor, the Forward rule's fields under `resp`.
  response = await client.fetch(`${base}/routegroups`);
  const byId = new Map(rules.map((r) => [r.key_route_id, r]));
  assertEquals(await response.json(), [{
    route_descriptor: byId.get(group.consume_route_id)!.app_fields!.route_descriptor,
    resp: byId.get(group.forward_route_id)!.forward_fields,
  }]);
  const summary = await (await client.fetch(`${base}/summary`)).json();
  assertEquals(summary.routes.length, rules.length);
  assertEquals(summary.routes.find((r: { key: number }) => r.key === EXTRA_ID).rule, extra.rule);

  // DELETE needs the session's CSRF token, then removes the rule once.
  response = await client.fetch(`${base}/routes/${EXTRA_ID}`, { method: "DELETE" });
  assertEquals(response.status, 403);
  await response.body?.cancel();
  const token = (await (await client.fetch("/api/csrf")).json()).csrf_token;
  const remove = () =>
    client.fetch(`${base}/routes/${EXTRA_ID}`, {
      method: "DELETE",
      headers: { "x-csrf-token": token },
    });
  response = await remove();
  assertEquals(await response.json(), true);
  assert(!(await routes.rules()).some((r) => r.key_route_id === EXTRA_ID));
  response = await remove();
  assertEquals(response.status, 404);
  await response.body?.cancel();
});

Deno.test("the Routes page lists rules and groups, follows groups live, and removes a rule", async () => {
  await using node = await startTestNode();
  const client = new CookieClient(node.url);
  await client.setup();
  const exitPk = node.network.info.exit_visor.pk;
  const routes = node.network.visor.api.routes;
  const group = await routeGroup(node);
  await routes.addRule(extraRule(EXTRA_ID, group.transport_id));

  let page = await client.text("/routes");
  assertEquals(page.status, 200);
  assert(!page.body.includes("not available"), "the page shows the router");
  for (
    const text of [
      `<td class="num">${EXTRA_ID}</td><td>IntermediaryForward</td><td>30s</td>`,
      `<td class="num">${group.forward_route_id}</td><td>Forward</td>`,
      `<td class="num">${group.consume_route_id}</td><td>Consume</td>`,
      `title="${exitPk}:${group.remote_port}"`,
      `<code>${group.transport_id}</code>`,
      `action="/routes/${EXTRA_ID}/remove"`,
      '<div id="live-route-groups">',
      '<span class="badge ok">open</span>',
    ]
  ) assertStringIncludes(page.body, text);

  // The route groups region streams over SSE like the other live regions.
  const abort = new AbortController();
  const events = await client.fetch("/events?topics=route-groups", { signal: abort.signal });
  assertEquals(events.status, 200);
  const reader = events.body!.pipeThrough(new TextDecoderStream()).getReader();
  let received = "";
  while (!received.includes(group.transport_id)) {
    const { value, done } = await reader.read();
    if (done) break;
    received += value;
  }
  abort.abort();
  await reader.cancel().catch(() => {});
  assertStringIncludes(received, "event: fragment");
  assertStringIncludes(received, "live-route-groups");
  assertStringIncludes(received, group.transport_id);

  // Remove: refused without the CSRF token, done with it, and a second time says why not.
  let response = await client.postForm(`/routes/${EXTRA_ID}/remove`, {});
  assertEquals(response.status, 403);
  await response.body?.cancel();
  assert((await routes.rules()).some((r) => r.key_route_id === EXTRA_ID));
  const csrf = CookieClient.csrfOf(page.body);
  response = await client.postForm(`/routes/${EXTRA_ID}/remove`, { _csrf: csrf });
  assertEquals(response.status, 303);
  await response.body?.cancel();
  assert(!(await routes.rules()).some((r) => r.key_route_id === EXTRA_ID));
  page = await client.text(response.headers.get("location")!);
  assertStringIncludes(page.body, `Rule ${EXTRA_ID} removed.`);
  assert(!page.body.includes(`action="/routes/${EXTRA_ID}/remove"`));
  response = await client.postForm(`/routes/${EXTRA_ID}/remove`, { _csrf: csrf });
  page = await client.text(response.headers.get("location")!);
  assertStringIncludes(page.body, `Not removed: no rule with route id ${EXTRA_ID}`);
});
