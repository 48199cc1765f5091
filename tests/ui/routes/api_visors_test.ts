/**
 * Go's hypervisor API over a fleet of two real visors (`up`'s node and its exit visor):
 * `/api/visors` and `/api/visors-summary` list both, `{pk}` paths reach the chosen visor, and
 * the paths added for Go's scripts (`POST /routes`, `PUT /routes/{rid}`, list deletes of
 * routes and transports) in Go's bodies and answers, with the CSRF token.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import type { RuleSummary } from "../../../services/visor/mod.ts";
import { localFleet } from "../../../services/visor/fleet_types.ts";
import { exitVisorApi, serveFleetUi, TestFleet, TestMember } from "../_fleet.ts";
import { startTestNode } from "../_node.ts";

function forwardRule(id: number, tid: string, next = 9): RuleSummary {
  return {
    keep_alive: 30e9,
    rule_type: 2,
    key_route_id: id,
    intermediary_forward_fields: { next_rid: next, next_tid: tid },
  };
}

Deno.test("Go's API over a fleet: visors, summaries, and routes and transports of the chosen visor", async (t) => {
  await using node = await startTestNode();
  const api = (await node.network.ui.app()).api;
  const self = localFleet(api, new Date(api.info().started_at)).list()[0];
  const exit = new TestMember(exitVisorApi(node));
  await using served = await serveFleetUi(node, new TestFleet(self, exit));
  const { client, csrf } = served;
  const visorPk = node.network.info.visor.pk;
  const exitPk = node.network.info.exit_visor.pk;
  const json = async (path: string, init: RequestInit = {}, status = 200) => {
    const response = await client.fetch(path, init);
    assertEquals(response.status, status, `${init.method ?? "GET"} ${path}`);
    return await response.json();
  };
  const send = (method: string, body: unknown, token: string | null = csrf) => ({
    method,
    headers: {
      "content-type": "application/json",
      ...(token ? { "x-csrf-token": token } : {}),
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

  await t.step(
    "/api/visors and /api/visors-summary list every member, this node first",
    async () => {
      const visors = await json("/api/visors");
      assertEquals(visors.map((v: { local_pk: string }) => v.local_pk), [visorPk, exitPk]);
      assertEquals(visors[1].transports[0].remote_pk, visorPk);
      assertEquals(
        visors[1].apps.find((a: { name: string }) => a.name === "skysocks").status,
        "running",
      );
      const summaries = await json("/api/visors-summary");
      assertEquals(summaries.length, 2);
      assertEquals(summaries[0].is_hypervisor, true);
      assertEquals(summaries[0].overview.local_pk, visorPk);
      assertEquals("is_hypervisor" in summaries[1], false);
      assertEquals(summaries[1].overview.local_pk, exitPk);
      assertEquals(summaries[1].online, true);
      assertEquals(summaries[1].dmsg_stats.server_public_key, node.network.info.dmsg_server.pk);
      assertEquals((await json("/api/dmsg")).length, 2);

      // A member that stops answering is listed by its key, offline.
      exit.mode = "fail";
      const [, gone] = await json("/api/visors-summary");
      assertEquals([gone.overview.local_pk, gone.online], [exitPk, false]);
      assertEquals((await json("/api/visors"))[1].local_pk, exitPk);
      assertEquals(
        (await json(`/api/visors/${exitPk}/summary`, {}, 503)).error.includes("not answering"),
        true,
      );
      exit.mode = "ok";
    },
  );

  await t.step("{pk} paths answer the chosen visor's data", async () => {
    const summary = await json(`/api/visors/${exitPk}/summary`);
    assertEquals(summary.overview.local_pk, exitPk);
    const tps = await json(`/api/visors/${exitPk}/transports`);
    assertEquals(tps.map((tp: { remote_pk: string }) => tp.remote_pk), [visorPk]);
    const ownTps = await json(`/api/visors/${visorPk}/transports`);
    assertEquals(ownTps.map((tp: { remote_pk: string }) => tp.remote_pk), [exitPk]);
    assertEquals(await json(`/api/visors/${exitPk}/uptime`) >= 0, true);
    assertEquals(
      (await json(`/api/visors/${exitPk}/dmsg/sessions`)).main.pk,
      exitPk,
    );
  });

  await t.step("POST /routes saves a RuleSummary and answers Go's routingRuleResp", async () => {
    const [tp] = await node.network.exitVisor.api.transports.list();
    const path = `/api/visors/${exitPk}/routes`;
    // Without the token: refused, nothing saved.
    await json(path, send("POST", forwardRule(55_501, tp.id), null), 403);
    const routes = node.network.exitVisor.api.routes;
    assert(!(await routes.rules()).some((r) => r.key_route_id === 55_501));

    const saved = await json(path, send("POST", forwardRule(55_501, tp.id)));
    assertEquals(saved.key, 55_501);
    assertEquals(saved.rule_summary, forwardRule(55_501, tp.id));
    assertEquals(saved.rule.length, 100);
    assertEquals((await routes.rule(55_501)).intermediary_forward_fields?.next_tid, tp.id);
    // Saved on the exit visor only.
    assert(!(await node.network.visor.api.routes.rules()).some((r) => r.key_route_id === 55_501));

    for (
      const bad of [
        "not json",
        "[]",
        "null",
        { ...forwardRule(55_502, tp.id), rule_type: 7 },
        {
          ...forwardRule(55_502, tp.id),
          intermediary_forward_fields: { next_rid: 1, next_tid: "x" },
        },
        { ...forwardRule(55_502, tp.id), keep_alive: "soon" },
      ]
    ) {
      const answer = await json(path, send("POST", bad), 400);
      assert(typeof answer.error === "string", JSON.stringify(bad));
    }
  });

  await t.step("PUT /routes/{rid} replaces the rule under that id", async () => {
    const [tp] = await node.network.exitVisor.api.transports.list();
    const path = `/api/visors/${exitPk}/routes/55501`;
    await json(path, send("PUT", forwardRule(55_501, tp.id, 42), null), 403);
    const replaced = await json(path, send("PUT", forwardRule(55_501, tp.id, 42)));
    assertEquals(replaced.key, 55_501);
    assertEquals(replaced.rule_summary.intermediary_forward_fields.next_rid, 42);
    const routes = node.network.exitVisor.api.routes;
    assertEquals((await routes.rule(55_501)).intermediary_forward_fields?.next_rid, 42);
    // A body naming another id, a bad id, a bad body: refused, nothing changed.
    const other = await json(path, send("PUT", forwardRule(55_999, tp.id)), 400);
    assertStringIncludes(other.error, "55999");
    await json(`/api/visors/${exitPk}/routes/x`, send("PUT", forwardRule(1, tp.id)), 400);
    await json(`/api/visors/${exitPk}/routes/0`, send("PUT", forwardRule(0, tp.id)), 400);
    await json(path, send("PUT", "{"), 400);
    assert(!(await routes.rules()).some((r) => r.key_route_id === 55_999));
    // The id may be left out of the body: the path's is used.
    const { key_route_id: _, ...withoutId } = forwardRule(55_501, tp.id, 43);
    assertEquals((await json(path, send("PUT", withoutId))).rule_summary.key_route_id, 55_501);
  });

  await t.step("GET /apps/{app}/logs answers Go's LogsRes, after ?since=", async () => {
    const path = `/api/visors/${exitPk}/apps/skysocks/logs`;
    const all = await json(path);
    assert(all.logs.length > 0, "skysocks logged at start");
    const kept = await node.network.exitVisor.api.apps.log("skysocks");
    assertEquals(all.logs, kept.map((l) => l.line));
    assert(all.logs.at(-1).startsWith(all.last_log_timestamp));
    // Nothing after the last line: Go's 500.
    const none = await json(`${path}?since=${all.last_log_timestamp}`, {}, 500);
    assertEquals(none, { error: "no new available logs" });
    // A `+` that arrived as a space is put back; an unparsable time means every line.
    assertEquals((await json(`${path}?since=2000-01-01T00:00:00 00:00`)).logs, all.logs);
    assertEquals((await json(`${path}?since=yesterday`)).logs, all.logs);
    const unknown = await json(`/api/visors/${exitPk}/apps/nope/logs`, {}, 404);
    assert(typeof unknown.error === "string");
  });

  await t.step(
    "DELETE /routes/ and /transports/ take a list and answer each id's outcome",
    async () => {
      const [tp] = await node.network.exitVisor.api.transports.list();
      const routes = node.network.exitVisor.api.routes;
      await routes.addRule(forwardRule(55_502, tp.id));
      const base = `/api/visors/${exitPk}`;
      await json(`${base}/routes/`, send("DELETE", ["55501"], null), 403);
      const removed = await json(
        `${base}/routes/`,
        send("DELETE", ["55501", "55502", "424242", "x"]),
      );
      assertEquals(removed["55501"], { success: true, error: "" });
      assertEquals(removed["55502"], { success: true, error: "" });
      assertEquals(removed["424242"].success, false);
      assertEquals(removed["x"].success, false);
      assert(
        !(await routes.rules()).some((r) => r.key_route_id === 55_501 || r.key_route_id === 55_502),
      );
      await json(`${base}/routes/`, send("DELETE", { ids: [1] }), 400);
      await json(`${base}/routes/`, send("DELETE", Array(300).fill("1")), 400);

      // Transports: ids that are not the exit's are refused one by one; the exit's is left be.
      const answer = await json(
        `${base}/transports/`,
        send("DELETE", ["00000000-0000-0000-0000-000000000000", "nonsense"]),
      );
      assertEquals(Object.keys(answer).sort(), [
        "00000000-0000-0000-0000-000000000000",
        "nonsense",
      ]);
      assert(Object.values(answer).every((r) => !(r as { success: boolean }).success));
      assertEquals((await node.network.exitVisor.api.transports.list()).length, 1);
      await json(`${base}/transports/`, send("DELETE", "nope"), 400);
    },
  );
});
