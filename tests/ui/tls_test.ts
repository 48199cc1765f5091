/**
 * The web UI over HTTPS (`skywire up --ui-tls`, `hypervisor.enable_tls`): a real node whose UI
 * serves its self-signed certificate; a client that trusts it logs in and gets Secure cookies.
 */
import { assert, assertEquals, assertMatch, assertRejects } from "@std/assert";
import { CookieClient, startTestNode } from "./_node.ts";

Deno.test("with TLS the UI answers HTTPS, its cookies are Secure, plain HTTP gets nothing", async () => {
  await using node = await startTestNode({ uiTls: true });
  assertMatch(node.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  assertMatch(node.network.info.ui_cert_sha256 ?? "", /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert(
    node.logs.tail({ limit: 1_000 }).some((entry) =>
      entry.line.includes("web UI") && entry.line.includes(node.url) &&
      entry.line.includes(node.network.info.ui_cert_sha256!)
    ),
    "the log names the https URL",
  );
  const client = new CookieClient(node.url, node.httpClient);

  // The pre-session (CSRF) cookie of the first page, and the session cookie, are Secure.
  const setupPage = await client.fetch("/setup");
  await setupPage.body?.cancel();
  for (const cookie of setupPage.headers.getSetCookie()) assertMatch(cookie, /; Secure/);
  const response = await client.setup();
  assertEquals(response.status, 303);
  const session = response.headers.getSetCookie().find((c) => c.startsWith("swm-session="));
  assert(session, "a session cookie");
  assertMatch(session, /; Secure/);
  assertMatch(session, /; HttpOnly/);
  assertMatch(session, /; SameSite=Strict/);
  // Logged in over TLS: the API answers (redirects, same-origin checks see https).
  const visors = await client.fetch("/api/visors");
  assertEquals(visors.status, 200);
  assertEquals((await visors.json())[0].local_pk, node.network.info.visor.pk);

  // Plain HTTP to the TLS port fails (no HTTP answer), and the UI serves on.
  await assertRejects(() => fetch(node.url.replace("https:", "http:")));
  const again = await client.fetch("/api/visors");
  await again.body?.cancel();
  assertEquals(again.status, 200);
});
