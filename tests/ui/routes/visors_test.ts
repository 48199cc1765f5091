/**
 * The Visors page and the pages of a fleet member (`/visors/:pk/...`) against a fleet of two
 * real visors (`up`'s node and its exit visor): listing, joins and leaves over SSE, the visor
 * switcher, actions on the chosen visor with CSRF, "not available for this visor", and the
 * "not connected" page for a visor gone, failing or silent; the `:pk` parameter fuzzed.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { generateKeyPair } from "../../../mod/cipher/mod.ts";
import { localFleet } from "../../../services/visor/fleet_types.ts";
import { Prng } from "../../_util/prng.ts";
import { exitVisorApi, serveFleetUi, TestFleet, TestMember } from "../_fleet.ts";
import { CookieClient, startTestNode } from "../_node.ts";

/** A key no visor of the test has. */
function otherPk(): string {
  return generateKeyPair().pk.hex();
}

/** Read an SSE stream until `done(text)` holds; the text read. */
async function readUntil(response: Response, done: (text: string) => boolean): Promise<string> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let received = "";
  try {
    while (!done(received)) {
      const { value, done: end } = await reader.read();
      if (end) break;
      received += value;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return received;
}

Deno.test("the fleet's pages: Visors lists both, each visor's pages show its own data, actions act on it", async (t) => {
  await using node = await startTestNode();
  const api = (await node.network.ui.app()).api;
  const self = localFleet(api, new Date(api.info().started_at)).list()[0];
  const exit = new TestMember(exitVisorApi(node));
  const fleet = new TestFleet(self, exit);
  await using served = await serveFleetUi(node, fleet);
  const { client, csrf } = served;
  const visorPk = node.network.info.visor.pk;
  const exitPk = node.network.info.exit_visor.pk;
  const page = async (path: string, status = 200) => {
    const { status: got, body } = await client.text(path);
    assertEquals(got, status, path);
    return body;
  };

  await t.step("Visors lists this node first, then the exit visor, with their state", async () => {
    const body = await page("/visors");
    const rows = [...body.matchAll(/<tr data-pk="([0-9a-f]{66})">/g)].map((m) => m[1]);
    assertEquals(rows, [visorPk, exitPk]);
    assertStringIncludes(body, '<span class="badge ok">this node</span>');
    assertStringIncludes(body, `href="/visors/${exitPk}"`);
    assertStringIncludes(body, 'data-live="visors"');
    // Each visor's real counts: one dmsg session, and the stcpr transport they share.
    const exitRow = body.slice(body.indexOf(`<tr data-pk="${exitPk}">`));
    assertMatch(exitRow, /<td>skywire-deno<\/td><td>[^<]+<\/td><td><span data-since="[^"]+">/);
    assertMatch(exitRow, /<td class="num">1<\/td><td class="num">1<\/td>/);
    // The switcher offers both.
    assertStringIncludes(body, `<option value="${exitPk}" >`);
    assert(exit.refreshes > 0, "the remote's state is fetched before it is shown");
  });

  await t.step("a visor's pages show that visor, not this node", async () => {
    const base = `/visors/${exitPk}`;
    const overview = await page(base);
    assertStringIncludes(overview, `<code>${exitPk}</code>`);
    assertStringIncludes(overview, '<span class="badge">remote</span>');
    assertStringIncludes(overview, `data-live="overview-dmsg@${exitPk},stores@${exitPk}"`);
    assertStringIncludes(overview, `action="${base}/stores/check"`);
    const transports = await page(`${base}/transports`);
    // The exit's transport leads back to this node.
    assertStringIncludes(transports, `title="${visorPk}"`);
    assertStringIncludes(transports, `action="${base}/transports"`);
    const [tp] = await node.network.exitVisor.api.transports.list();
    assertStringIncludes(transports, `action="${base}/transports/${tp.id}/remove"`);
    const apps = await page(`${base}/apps`);
    assertMatch(apps, /<td>skysocks<\/td><td><span class="badge ok">running<\/span>/);
    assertStringIncludes(apps, `action="${base}/apps/skysocks/stop"`);
    const dmsg = await page(`${base}/dmsg`);
    assertStringIncludes(dmsg, node.network.info.dmsg_server.address);
    assertStringIncludes(dmsg, `data-live="dmsg-sessions@${exitPk}"`);
    assertStringIncludes(await page(`${base}/routes`), "Routing rules");
    // No log ring is offered for the remote: said so, nothing invented.
    const logs = await page(`${base}/logs`);
    assertStringIncludes(logs, "Logs are not available for this visor");
    assert(!logs.includes('id="log-lines"'));
    // Navigation stays on the visor; Updates belongs to this node only.
    assertStringIncludes(logs, `href="${base}/transports"`);
    assert(!logs.includes('href="/updates"'));
    // This node's top-level pages are unchanged.
    const own = await page("/transports");
    assertStringIncludes(own, 'action="/transports"');
    assertStringIncludes(own, `title="${exitPk}"`);
  });

  await t.step(
    "the switcher keeps the page kind and goes where the visor's pages are",
    async () => {
      const go = async (query: string) => {
        const response = await client.fetch(`/visors/switch?${query}`);
        assertEquals(response.status, 303);
        await response.body?.cancel();
        return response.headers.get("location");
      };
      assertEquals(await go(`pk=${exitPk}&page=/transports`), `/visors/${exitPk}/transports`);
      assertEquals(await go(`pk=${exitPk}&page=/`), `/visors/${exitPk}`);
      assertEquals(await go(`pk=${visorPk}&page=/apps`), "/apps");
      assertEquals(await go(`pk=${exitPk}&page=//evil.example`), `/visors/${exitPk}`);
      assertEquals(await go(`pk=${"ab".repeat(33)}&page=/apps`), "/visors");
      assertEquals(await go("pk=nonsense"), "/visors");
    },
  );

  await t.step("actions act on the chosen visor, with the session's CSRF token", async () => {
    const base = `/visors/${exitPk}`;
    const ownApps = (await node.network.visor.api.apps.list()).map((a) => a.status);
    const running = async () =>
      (await node.network.exitVisor.api.apps.list()).find((a) => a.name === "skysocks")?.status;
    let response = await client.postForm(`${base}/apps/skysocks/stop`, {});
    assertEquals(response.status, 403);
    await response.body?.cancel();
    assertEquals(await running(), "running");
    response = await client.postForm(`${base}/apps/skysocks/stop`, { _csrf: "x".repeat(43) });
    assertEquals(response.status, 403);
    await response.body?.cancel();

    response = await client.postForm(`${base}/apps/skysocks/stop`, { _csrf: csrf });
    assertEquals(response.status, 303);
    assertEquals(response.headers.get("location"), `${base}/apps`);
    await response.body?.cancel();
    assertEquals(await running(), "stopped");
    assertStringIncludes(await page(`${base}/apps`), "skysocks: stopped.");
    // This node's apps were not touched.
    assertEquals(
      (await node.network.visor.api.apps.list()).map((a) => a.status),
      ownApps,
      "the node's own apps are as they were",
    );
    response = await client.postForm(`${base}/apps/skysocks/start`, { _csrf: csrf });
    await response.body?.cancel();
    assertEquals(await running(), "running");

    // A rule of the exit visor, removed through its page.
    const [tp] = await node.network.exitVisor.api.transports.list();
    const routes = node.network.exitVisor.api.routes;
    await routes.addRule({
      keep_alive: 30e9,
      rule_type: 2,
      key_route_id: 66_666,
      intermediary_forward_fields: { next_rid: 5, next_tid: tp.id },
    });
    assertStringIncludes(await page(`${base}/routes`), `action="${base}/routes/66666/remove"`);
    response = await client.postForm(`${base}/routes/66666/remove`, {});
    assertEquals(response.status, 403);
    await response.body?.cancel();
    response = await client.postForm(`${base}/routes/66666/remove`, { _csrf: csrf });
    assertEquals(response.headers.get("location"), `${base}/routes`);
    await response.body?.cancel();
    assert(!(await routes.rules()).some((r) => r.key_route_id === 66_666));
    assertStringIncludes(await page(`${base}/routes`), "Rule 66666 removed.");

    // A transport add that cannot succeed says why, on the exit visor's page.
    response = await client.postForm(`${base}/transports`, {
      _csrf: csrf,
      remote_pk: "zz",
      type: "stcpr",
    });
    assertEquals(response.headers.get("location"), `${base}/transports`);
    await response.body?.cancel();
    assertStringIncludes(await page(`${base}/transports`), "Not added:");
  });

  await t.step("a member without a feature says 'not available for this visor'", async () => {
    const full = exitVisorApi(node);
    const barePk = otherPk();
    const bare = new TestMember({
      ...full,
      info: () => ({ ...full.info(), pk: barePk }),
      transports: undefined,
      apps: undefined,
      routes: undefined,
    });
    fleet.join(bare);
    try {
      for (
        const [path, feature] of [["transports", "Transports"], ["apps", "Apps"], [
          "routes",
          "Routes",
        ]]
      ) {
        const body = await page(`/visors/${bare.pk}/${path}`);
        assertStringIncludes(body, `${feature} are not available for this visor`);
        assert(!body.includes("<table"), `${path}: no table of sample data`);
      }
      const response = await client.fetch(`/api/visors/${bare.pk}/transports`);
      assertEquals(response.status, 501);
      assertEquals(await response.json(), { error: "transports are not available for this visor" });
    } finally {
      fleet.leave(bare.pk);
    }
  });

  await t.step("a visor gone, failing or silent gets a clear 'not connected' page", async () => {
    const base = `/visors/${exitPk}`;
    exit.mode = "fail";
    let body = await page(`${base}/transports`, 503);
    assertStringIncludes(body, "This visor is not connected");
    assertStringIncludes(body, "the visor hung up");
    assertEquals((await client.fetch(`/api/visors/${exitPk}/summary`)).status, 503);
    assertStringIncludes(await page("/visors"), "not answering");
    exit.mode = "hang";
    body = await page(`${base}/apps`, 503);
    assertStringIncludes(body, "no answer within 300 ms");
    exit.release();
    exit.mode = "ok";
    assertEquals((await client.text(base)).status, 200);

    fleet.leave(exitPk);
    body = await page(`${base}/dmsg`, 404);
    assertStringIncludes(body, "This visor is not connected");
    assertStringIncludes(body, 'href="/visors"');
    let response = await client.postForm(`${base}/apps/skysocks/stop`, { _csrf: csrf });
    assertEquals(response.status, 404);
    await response.body?.cancel();
    assertEquals(await (await node.network.exitVisor.api.apps.list())[0].status, "running");
    response = await client.fetch(`/api/visors/${exitPk}/transports`);
    assertEquals(response.status, 404);
    assertStringIncludes((await response.json()).error, "not connected");
    fleet.join(exit);
  });

  await t.step("joins and leaves reach an open Visors page over SSE", async () => {
    const abort = new AbortController();
    const joinPk = otherPk();
    const events = await client.fetch("/events?topics=visors", { signal: abort.signal });
    assertEquals(events.status, 200);
    const other = new TestMember({
      ...exitVisorApi(node),
      info: () => ({ ...exit.api.info(), pk: joinPk }),
    }, "go");
    const reading = readUntil(
      events,
      (text) => text.includes(joinPk) && text.includes("Go Skywire"),
    );
    // Joined after the stream is open: the fleet's listener pushes the new table.
    setTimeout(() => fleet.join(other), 50);
    const received = await reading;
    abort.abort();
    assertStringIncludes(received, '"id":"live-visors"');
    fleet.leave(other.pk);
    assertEquals(fleet.list().length, 2);
  });

  await t.step("a remote visor's live regions stream as topic@pk", async () => {
    const abort = new AbortController();
    const events = await client.fetch(`/events?topics=dmsg-sessions@${exitPk}`, {
      signal: abort.signal,
    });
    const received = await readUntil(events, (text) => text.includes("event: fragment"));
    abort.abort();
    assertStringIncludes(received, '\\"live-dmsg-sessions\\"'.slice(2, -2));
    assertStringIncludes(received, node.network.info.dmsg_server.address);
  });
});

Deno.test("fuzz: the :pk of /visors/:pk/... and /api/visors/:pk/... never crashes or shows another visor", async () => {
  await using node = await startTestNode();
  const api = (await node.network.ui.app()).api;
  const self = localFleet(api, new Date(api.info().started_at)).list()[0];
  const exit = new TestMember(exitVisorApi(node));
  await using served = await serveFleetUi(node, new TestFleet(self, exit));
  const prng = new Prng(0xf1ee7);
  const pks = [exit.pk, self.pk];
  const alphabet = "0123456789abcdefABCDEF%./-_~:@ xyz\u00e9\u{1f600}";
  const mutate = (pk: string) => {
    const chars = [...pk];
    const kind = prng.int(5);
    if (kind === 0) chars[prng.int(chars.length)] = prng.pick([...alphabet]);
    if (kind === 1) chars.splice(prng.int(chars.length), 1);
    if (kind === 2) chars.push(prng.pick([...alphabet]));
    if (kind === 3) return pk.toUpperCase();
    if (kind === 4) {
      return Array.from({ length: prng.int(80) }, () => prng.pick([...alphabet])).join("");
    }
    return chars.join("");
  };
  const pages = ["", "/dmsg", "/transports", "/routes", "/apps", "/logs", "/nope"];
  const apis = ["", "/summary", "/transports", "/routes/1", "/apps/skysocks", "/health"];
  for (let i = 0; i < 250; i++) {
    const pk = mutate(prng.pick(pks));
    const encoded = encodeURIComponent(pk);
    const isApi = prng.int(2) === 0;
    const path = isApi
      ? `/api/visors/${encoded}${prng.pick(apis)}`
      : `/visors/${encoded}${prng.pick(pages)}`;
    const response = await served.client.fetch(path);
    const body = await response.text();
    assert(response.status < 500 || response.status === 503, `${path} → ${response.status}`);
    const member = pks.find((k) => k === pk.toLowerCase());
    if (response.status === 200 && !member) throw new Error(`${path} showed a visor for ${pk}`);
    if (member && response.status === 200 && !isApi) assertStringIncludes(body, member);
  }
  assertEquals(exit.refreshes > 0, true);
  const client = new CookieClient(served.client.base);
  assertEquals((await client.fetch(`/visors/${exit.pk}`)).status, 303, "pages need a session");
});

Deno.test("up's own fleet over the dmsg hypervisor link: the exit visor's pages, and what the link does not carry", async () => {
  await using node = await startTestNode();
  const client = new CookieClient(node.url);
  await client.setup();
  const exitPk = node.network.info.exit_visor.pk;
  const fleet = (await node.network.ui.app()).fleet;
  for (let i = 0; i < 300 && !fleet.get(exitPk); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert(fleet.get(exitPk), "the exit visor linked to this node's hypervisor port");
  const page = async (path: string) => {
    const { status, body } = await client.text(path);
    assertEquals(status, 200, path);
    return body;
  };
  const rows = [...(await page("/visors")).matchAll(/<tr data-pk="([0-9a-f]{66})">/g)];
  assertEquals(rows.map((m) => m[1]), [node.network.info.visor.pk, exitPk]);

  const base = `/visors/${exitPk}`;
  const overview = await page(base);
  assertStringIncludes(overview, `<code>${exitPk}</code>`);
  assertStringIncludes(overview, "<dt>Runs</dt><dd>skywire-deno</dd>");
  // Stores and updates do not travel over the link: said so, with the reason.
  for (const card of ["Updates", "Storage \\(Deno KV\\)"]) {
    assertMatch(
      overview,
      new RegExp(`${card}</h2></div><p class="muted">Not available for this visor: not reachable`),
    );
  }
  assert(!overview.includes(`${base}/stores/check`), "no store check for a remote visor");
  assertStringIncludes(overview, "1 session</span>");
  const transports = await page(`${base}/transports`);
  assertStringIncludes(transports, `title="${node.network.info.visor.pk}"`);
  assertMatch(await page(`${base}/apps`), /<td>skysocks<\/td><td><span class="badge ok">running/);
  assertStringIncludes(await page(`${base}/dmsg`), "Not reported by this visor");
  assertStringIncludes(await page(`${base}/logs`), "Logs are not available for this visor");
  const api = await (await client.fetch(`/api/visors/${exitPk}/transports`)).json();
  assertEquals(api.map((tp: { remote_pk: string }) => tp.remote_pk), [node.network.info.visor.pk]);
});
