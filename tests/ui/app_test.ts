/**
 * The web UI over real HTTP against a real node (`startUp` in this process): first password,
 * login, session cookie attributes, CSRF refusals, session expiry and ends, rate limits, and
 * the pages showing the node's data.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { createLogger } from "../../mod/log/mod.ts";
import { setPassword } from "../../ui/mod.ts";
import { createUiApp } from "../../ui/app.ts";
import { CookieClient, PASSWORD, startTestNode, TEST_SCRYPT } from "./_node.ts";

const BAD_SESSION = "session cookie is either non-existent, expired, or ill-formatted";

Deno.test("first visit: pages lead to /setup; the first password logs in with a strict cookie", async () => {
  await using node = await startTestNode();
  const client = new CookieClient(node.url);

  let response = await client.fetch("/");
  assertEquals(response.status, 303);
  assertEquals(response.headers.get("location"), "/setup");
  await response.body?.cancel();
  assertEquals((await client.text("/login")).status, 303);
  const api = await client.fetch("/api/visors");
  assertEquals(api.status, 401);
  assertEquals(await api.json(), { error: BAD_SESSION });

  const setupPage = await client.text("/setup");
  assertStringIncludes(setupPage.body, "Choose the password");
  // A form whose passwords differ, or a short one, is refused and nothing is stored.
  const csrf = CookieClient.csrfOf(setupPage.body);
  response = await client.postForm("/setup", { _csrf: csrf, password: PASSWORD, confirm: "x" });
  assertEquals(response.status, 400);
  await response.body?.cancel();
  response = await client.postForm("/setup", { _csrf: csrf, password: "short", confirm: "short" });
  assertEquals(response.status, 400);
  await response.body?.cancel();

  response = await client.setup();
  assertEquals(response.status, 303);
  assertEquals(response.headers.get("location"), "/");
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith("swm-session="));
  assert(cookie, "a session cookie");
  assertMatch(cookie, /; HttpOnly/);
  assertMatch(cookie, /; SameSite=Strict/);
  assertMatch(cookie, /; Path=\//);
  // Over plain HTTP a Secure cookie would never come back: it is set without.
  assert(!/; Secure/i.test(cookie), cookie);

  const overview = await client.text("/");
  assertEquals(overview.status, 200);
  assertStringIncludes(overview.body, node.network.info.visor.pk);
  assertStringIncludes(overview.body, "<h1>Overview</h1>");

  // The first password is set once: the page and Go's create-account now refuse.
  assertEquals((await client.text("/setup")).status, 303);
  const again = await client.fetch("/api/create-account", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: "another password" }),
  });
  assertEquals(again.status, 403);
  await again.body?.cancel();
});

Deno.test("CSRF: a state-changing request without the session's token is refused with 403", async () => {
  await using node = await startTestNode();
  const client = new CookieClient(node.url);
  await client.setup();
  const page = await client.text("/");
  const csrf = CookieClient.csrfOf(page.body);

  const refused = async (response: Response) => {
    assertEquals(response.status, 403);
    await response.body?.cancel();
  };
  await refused(await client.postForm("/stores/check", {}));
  await refused(await client.postForm("/stores/check", { _csrf: "x".repeat(43) }));
  await refused(await client.postForm("/logout", {}));
  await refused(
    await client.fetch(`/api/visors/${node.network.info.visor.pk}/stores/check`, {
      method: "POST",
    }),
  );
  // Another site's form, even with the right token (it cannot know it, but still): refused.
  await refused(
    await client.fetch("/stores/check", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: "http://evil.example",
      },
      body: `_csrf=${csrf}`,
    }),
  );

  let response = await client.postForm("/stores/check", { _csrf: csrf });
  assertEquals(response.status, 303);
  await response.body?.cancel();
  // The outcome is noted on the next page, once.
  assertStringIncludes((await client.text("/")).body, "Store check: every store is healthy.");
  assert(!(await client.text("/")).body.includes("Store check:"));

  const token = (await (await client.fetch("/api/csrf")).json()).csrf_token;
  assertEquals(token, csrf);
  response = await client.fetch(`/api/visors/${node.network.info.visor.pk}/stores/check`, {
    method: "POST",
    headers: { "x-csrf-token": token },
  });
  assertEquals(response.status, 200);
  const stores = await response.json();
  assertEquals(stores[0].name, "visor");
  assertEquals(stores[0].last_check.status, "ok");
});

Deno.test("Go's hypervisor API: login as admin, visors, summary, health; 501 for what is not built", async () => {
  await using node = await startTestNode();
  await new CookieClient(node.url).setup();
  const client = new CookieClient(node.url);
  const { visor, dmsg_server } = node.network.info;
  const login = (body: unknown, type = "application/json") =>
    client.fetch("/api/login", {
      method: "POST",
      headers: { "content-type": type },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  let response = await login({ username: "admin", password: "wrong password" });
  assertEquals(response.status, 401);
  assertEquals(await response.json(), { error: "incorrect username or password" });
  response = await login({ username: "root", password: PASSWORD });
  assertEquals(response.status, 401);
  await response.body?.cancel();
  // Only JSON: a cross-site form cannot post it without a preflight.
  response = await login("username=admin&password=x", "application/x-www-form-urlencoded");
  assertEquals(response.status, 400);
  await response.body?.cancel();
  response = await login({ username: "admin", password: PASSWORD });
  assertEquals(response.status, 200);
  assertEquals(await response.json(), true);

  assertEquals(await (await fetch(`${node.url}/api/ping`)).json(), "PONG!");
  assertEquals((await (await client.fetch("/api/user")).json()).username, "admin");
  const about = await (await client.fetch("/api/about")).json();
  assertEquals(about.public_key, visor.pk);
  assertEquals(about.dmsg_connected, true);

  const visors = await (await client.fetch("/api/visors")).json();
  // This node first; up's exit visor is listed too once its hypervisor link is up.
  assertEquals(visors[0].local_pk, visor.pk);
  assertEquals(
    visors.slice(1).map((v: { local_pk: string }) => v.local_pk),
    visors.length > 1 ? [node.network.info.exit_visor.pk] : [],
  );
  const summary = await (await client.fetch(`/api/visors/${visor.pk}/summary`)).json();
  assertEquals(summary.overview.local_pk, visor.pk);
  assertEquals(summary.online, true);
  assertEquals(summary.connected_dmsg_servers, [dmsg_server.pk]);
  assertEquals(summary.dmsg_servers[0].pk, dmsg_server.pk);
  assert(typeof summary.uptime === "number" && summary.uptime >= 0);
  assertEquals(await (await client.fetch(`/api/visors/${visor.pk}/health`)).json(), {
    status: 200,
    services_health: "healthy",
  });
  const sessions = await (await client.fetch(`/api/visors/${visor.pk}/dmsg/sessions`)).json();
  assertEquals(sessions.main.servers, [dmsg_server.pk]);

  // Transports run: the node's own types, and up's one transport, to its exit visor.
  response = await client.fetch(`/api/visors/${visor.pk}/transport-types`);
  assertEquals(await response.json(), ["dmsg", "stcpr"]);
  response = await client.fetch(`/api/visors/${visor.pk}/transports`);
  const tps = await response.json();
  assertEquals(
    tps.map((tp: { type: string; remote_pk: string }) => [tp.type, tp.remote_pk]),
    [["stcpr", node.network.info.exit_visor.pk]],
  );
  // Routes run: up's proxy client routes to the exit visor (tests/ui/routes has the details).
  for (const path of ["routes", "routegroups"]) {
    response = await client.fetch(`/api/visors/${visor.pk}/${path}`);
    assertEquals(response.status, 200, path);
    assert(Array.isArray(await response.json()), path);
  }
  // Apps run: the generated config's skysocks starts with the node.
  response = await client.fetch(`/api/visors/${visor.pk}/apps`);
  const apps = await response.json();
  assertEquals(
    apps.find((app: { name: string }) => app.name === "skysocks")?.status,
    "running",
  );
  response = await client.fetch(`/api/visors/${dmsg_server.pk}/summary`);
  assertEquals(response.status, 404);
  await response.body?.cancel();
  response = await client.fetch("/api/visors/not-a-key/summary");
  assertEquals(response.status, 400);
  await response.body?.cancel();
});

Deno.test("sessions end: at expiry, at logout, and when the password is set anew (CLI path)", async () => {
  await using node = await startTestNode({ uiSessionTtlMs: 600 });
  const client = new CookieClient(node.url);
  await client.setup();
  assertEquals((await client.text("/dmsg")).status, 200);
  await new Promise((resolve) => setTimeout(resolve, 700));
  let response = await client.fetch("/dmsg");
  assertEquals(response.status, 303);
  assertEquals(response.headers.get("location"), "/login?next=%2Fdmsg");
  await response.body?.cancel();
  assertEquals((await client.fetch("/api/visors").then((r) => r.json())).error, BAD_SESSION);

  // Logging in again lands where the expired session was.
  const page = await client.text("/login?next=%2Fdmsg");
  response = await client.postForm("/login", {
    _csrf: CookieClient.csrfOf(page.body),
    password: PASSWORD,
    next: "/dmsg",
  });
  assertEquals(response.headers.get("location"), "/dmsg");
  await response.body?.cancel();
  assertEquals((await client.text("/dmsg")).status, 200);

  // `skywire cli visor hv password` writes the same record: older sessions are over.
  await setPassword(node.network.visor.store.kv, "a brand new password", { scrypt: TEST_SCRYPT });
  assertEquals((await client.text("/dmsg")).status, 303);
  assertEquals((await client.login()).status, 401);
  assertEquals((await client.login("a brand new password")).status, 303);
  const csrf = CookieClient.csrfOf((await client.text("/")).body);
  response = await client.postForm("/logout", { _csrf: csrf });
  assertEquals(response.headers.get("location"), "/login");
  await response.body?.cancel();
  assertEquals((await client.text("/")).status, 303);
});

Deno.test("login is rate-limited per address; the first password is only set from the node itself", async () => {
  await using node = await startTestNode();
  const ui = createUiApp({
    api: (await node.network.ui.app()).api,
    kv: () => node.network.visor.store.kv,
    logger: createLogger({ level: "fatal" }),
    scrypt: TEST_SCRYPT,
    loginRate: { ratePerSecond: 0.001, burst: 2 },
  });
  const from = (hostname: string) => ({ remoteAddr: { hostname } });
  const remote = from("192.0.2.7");

  // No password yet: another machine is told to use the CLI, and its posts are refused.
  let response = await ui.app.request("/setup", {}, remote);
  assertStringIncludes(await response.text(), "skywire cli visor hv password");
  const cookie = response.headers.getSetCookie()[0].split(";")[0];
  const csrf = cookie.split("=")[1];
  response = await ui.app.request("/setup", {
    method: "POST",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ _csrf: csrf, password: PASSWORD, confirm: PASSWORD }),
  }, remote);
  assertEquals(response.status, 403);
  await response.body?.cancel();
  response = await ui.app.request("/api/create-account", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: PASSWORD }),
  }, remote);
  assertEquals(response.status, 403);
  await response.body?.cancel();

  await setPassword(node.network.visor.store.kv, PASSWORD, { scrypt: TEST_SCRYPT });
  const attempt = (env: object) =>
    ui.app.request("/api/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: "wrong password" }),
    }, env);
  // (The two posts above drew on 192.0.2.7's allowance; another address starts full.)
  for (const expected of [401, 401, 429]) {
    response = await attempt(from("192.0.2.8"));
    assertEquals(response.status, expected);
    await response.body?.cancel();
  }
  // Another address has its own allowance.
  response = await attempt(from("127.0.0.1"));
  assertEquals(response.status, 401);
  await response.body?.cancel();
  ui.close();
});

Deno.test("every page shows the node's real data, and what is not built says so", async () => {
  await using node = await startTestNode();
  const client = new CookieClient(node.url);
  await client.setup();
  const { visor, dmsg_server, discovery } = node.network.info;
  const page = async (path: string) => {
    const { status, body } = await client.text(path);
    assertEquals(status, 200, path);
    return body;
  };
  const overview = await page("/");
  assertStringIncludes(overview, visor.pk);
  assertStringIncludes(overview, discovery);
  assertStringIncludes(overview, "1 of 1 sessions");
  assertStringIncludes(overview, "visor.kv");
  const dmsg = await page("/dmsg");
  assertStringIncludes(dmsg, dmsg_server.address);
  assertStringIncludes(dmsg, dmsg_server.pk.slice(0, 8));
  const transports = await page("/transports");
  assertStringIncludes(transports, node.network.info.exit_visor.pk.slice(0, 8));
  assertStringIncludes(transports, '<option value="stcpr"');
  const routesPage = await page("/routes");
  assertStringIncludes(routesPage, "Routing rules");
  assert(!routesPage.includes("not available"), "/routes shows the router");
  const appsPage = await page("/apps");
  assertMatch(appsPage, /<td>skysocks<\/td><td><span class="badge ok">running<\/span>/);
  const updates = await page("/updates");
  assertStringIncludes(updates, "the updater is off");
  assertMatch(updates, /<button type="submit" class="primary" disabled/);
  const logs = await page("/logs?level=info");
  assertStringIncludes(logs, "web UI url=");
  const warnOnly = await page("/logs?level=error");
  assert(!warnOnly.includes("web UI url="), "the level filter drops info lines");
  const missing = await client.fetch("/nope");
  assertEquals(missing.status, 404);
  await missing.body?.cancel();
});

Deno.test("/events streams a page's live regions as SSE and lets go of the stream on disconnect", async () => {
  await using node = await startTestNode();
  const client = new CookieClient(node.url);
  const unauthenticated = await fetch(`${node.url}/events?topics=dmsg-sessions`);
  assertEquals(unauthenticated.status, 401);
  await unauthenticated.body?.cancel();
  await client.setup();
  const hub = (await node.network.ui.app()).hub;

  const abort = new AbortController();
  const response = await client.fetch("/events?topics=dmsg-sessions,logs&after=0", {
    signal: abort.signal,
  });
  assertEquals(response.status, 200);
  assertEquals(response.headers.get("content-type"), "text/event-stream");
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let received = "";
  while (!received.includes("event: fragment")) {
    const { value, done } = await reader.read();
    if (done) break;
    received += value;
  }
  assertStringIncludes(received, "event: log");
  assertStringIncludes(received, "live-dmsg-sessions");
  assertStringIncludes(received, node.network.info.dmsg_server.address);
  assertEquals(hub.streams, 1);
  assert(hub.ticking && hub.followingLogs);

  abort.abort();
  await reader.cancel().catch(() => {});
  for (let i = 0; i < 100 && hub.streams > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assertEquals(hub.streams, 0, "the stream is released when the browser goes away");
  assertEquals(hub.ticking, false);
  assertEquals(hub.followingLogs, false);
});
