import { assertEquals, assertRejects } from "@std/assert";
import { Hono } from "hono";
import { generateKeyPair } from "../../../mod/cipher/mod.ts";
import {
  HttpAuthClient,
  HttpAuthRequestError,
  nextNonceJson,
  parseAuthHeaders,
  unauthorized,
  verifyRequest,
} from "../../../mod/httpauth/mod.ts";
import { startAuthServer } from "./_server.ts";
import { freePort } from "../../_util/ports.ts";
import { silentListener } from "../../_util/silent_listener.ts";

const dec = new TextDecoder();
const enc = new TextEncoder();

Deno.test("client ↔ server: a sequence of signed requests, each nonce used once", async () => {
  await using server = await startAuthServer();
  const keys = generateKeyPair();
  const client = new HttpAuthClient({ baseUrl: server.url, ...keys });
  assertEquals(await client.fetchNonce(), 0n);
  for (let i = 0; i < 5; i++) {
    const res = await client.request("GET", "/ok");
    assertEquals([res.status, dec.decode(res.body)], [200, "ok"]);
  }
  const echo = await client.request("POST", "/echo", enc.encode('{"x":[1,2]}\n'));
  assertEquals(dec.decode(echo.body), '{"x":[1,2]}\n');
  assertEquals(await server.nonces.nonce(keys.pk), 6n);
  assertEquals(server.served.every((s) => s.pk === keys.pk.hex()), true);
});

Deno.test("client: after a non-2xx answer it refetches the nonce; concurrent calls queue", async () => {
  await using server = await startAuthServer();
  const keys = generateKeyPair();
  const client = new HttpAuthClient({ baseUrl: server.url, ...keys });
  assertEquals((await client.request("GET", "/missing")).status, 404);
  assertEquals((await client.request("POST", "/created")).status, 201);
  assertEquals((await client.request("GET", "/ok")).status, 200);
  const all = await Promise.all(Array.from({ length: 10 }, () => client.request("GET", "/ok")));
  assertEquals(all.map((r) => r.status), Array(10).fill(200));
  assertEquals(await server.nonces.nonce(keys.pk), 13n);
});

Deno.test("client: a stale nonce (another client used the key) is fixed by one retry", async () => {
  await using server = await startAuthServer();
  const keys = generateKeyPair();
  const a = new HttpAuthClient({ baseUrl: server.url, ...keys });
  const b = new HttpAuthClient({ baseUrl: server.url, ...keys });
  assertEquals((await a.request("GET", "/ok")).status, 200);
  assertEquals((await b.request("GET", "/ok")).status, 200);
  assertEquals((await a.request("GET", "/ok")).status, 200);
  assertEquals((await b.request("GET", "/ok")).status, 200);
  assertEquals(server.served.length, 4);
});

/** A service that counts what it is asked and answers from `answer`. */
async function fakeService(answer: (path: string, nonce: bigint) => Response) {
  const seen: string[] = [];
  const app = new Hono();
  app.all("*", async (c) => {
    const path = c.req.path;
    seen.push(`${c.req.method} ${path}`);
    if (path.startsWith("/security/nonces/")) {
      return new Response(nextNonceJson(generateKeyPair().pk, 7n));
    }
    const auth = parseAuthHeaders(c.req.raw.headers);
    verifyRequest(new Uint8Array(await c.req.arrayBuffer()), auth.nonce, auth.pk, auth.sig);
    return answer(path, auth.nonce);
  });
  const { promise: listening, resolve } = Promise.withResolvers<void>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => resolve() },
    app.fetch,
  );
  await listening;
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    seen,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

Deno.test("client: a service that keeps refusing gets exactly one retry", async () => {
  await using service = await fakeService(() => unauthorized("SW-Nonce does not match"));
  const client = new HttpAuthClient({ baseUrl: service.url, ...generateKeyPair() });
  const res = await client.request("DELETE", "/transports/id:x");
  assertEquals(res.status, 401);
  assertEquals(service.seen.filter((s) => s.startsWith("DELETE")).length, 2);
  assertEquals(service.seen.filter((s) => s.startsWith("GET /security")).length, 2);
});

Deno.test("client: works with a Go-style service that advances only on 200", async () => {
  let expected = 7n;
  await using service = await fakeService((path, nonce) => {
    if (nonce !== expected) return unauthorized("SW-Nonce does not match");
    if (path === "/created") return new Response("[]", { status: 201 });
    expected++;
    return new Response("ok");
  });
  // The fake's nonce route always says 7; keep it in step with `expected` for this test.
  const client = new HttpAuthClient({
    baseUrl: service.url,
    ...generateKeyPair(),
    fetch: (input, init) => {
      const url = String(input);
      if (url.includes("/security/nonces/")) {
        return Promise.resolve(new Response(`{"edge":"x","next_nonce":${expected}}`));
      }
      return fetch(input, init);
    },
  });
  assertEquals((await client.request("GET", "/ok")).status, 200);
  assertEquals((await client.request("POST", "/created")).status, 201);
  assertEquals((await client.request("GET", "/ok")).status, 200);
  assertEquals((await client.request("GET", "/ok")).status, 200);
  assertEquals(expected, 10n);
});

Deno.test("client: no answer within the deadline is a typed error, not a hang", async () => {
  await using silent = silentListener();
  const client = new HttpAuthClient({
    baseUrl: `127.0.0.1:${silent.port}`,
    ...generateKeyPair(),
    timeoutMs: 300,
  });
  const started = Date.now();
  const error = await assertRejects(() => client.request("GET", "/ok"), HttpAuthRequestError);
  assertEquals(error.message.includes("no answer within 300 ms"), true, error.message);
  assertEquals(Date.now() - started < 3_000, true);
});

Deno.test("client: an oversize answer and a refused connection are typed errors", async () => {
  await using service = await fakeService(() => new Response("x".repeat(10_000)));
  const client = new HttpAuthClient({
    baseUrl: service.url,
    ...generateKeyPair(),
    maxResponseBytes: 1_000,
  });
  await assertRejects(() => client.request("GET", "/big"), HttpAuthRequestError, "larger than");
  const port = freePort();
  const nobody = new HttpAuthClient({ baseUrl: `http://127.0.0.1:${port}`, ...generateKeyPair() });
  await assertRejects(() => nobody.fetchNonce(), HttpAuthRequestError);
});
