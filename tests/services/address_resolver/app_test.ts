import { assertEquals } from "@std/assert";
import { generateKeyPair } from "../../../mod/cipher/mod.ts";
import { signRequest } from "../../../mod/httpauth/mod.ts";
import { bindBody, send, startTestResolver } from "./_harness.ts";

Deno.test("address resolver: bind, resolve (Go's VisorData JSON), list, unbind", async () => {
  await using ar = await startTestResolver();
  const a = ar.visor();
  const b = ar.visor();
  const bound = await send(a.client, "POST", "/bind/stcpr", bindBody("7777", ["127.0.0.1", "::1"]));
  assertEquals(bound, { status: 200, text: "" });
  // Both ask from 127.0.0.1, so the answer says they share the address.
  const resolved = await send(b.client, "GET", `/resolve/stcpr/${a.pk.hex()}`);
  assertEquals(resolved, {
    status: 200,
    text:
      '{"remote_addr":"127.0.0.1","is_local":true,"port":"7777","addresses":["127.0.0.1","::1"]}',
  });
  const list = await fetch(`${ar.url}/transports`);
  assertEquals(list.headers.get("content-type"), "application/json");
  assertEquals(await list.text(), `{"stcpr":["${a.pk.hex()}"]}`);
  // A new bind replaces the old one.
  await send(a.client, "POST", "/bind/stcpr", bindBody("8888", ["127.0.0.1"]));
  assertEquals(
    (await send(b.client, "GET", `/resolve/stcpr/${a.pk.hex()}`)).text,
    '{"remote_addr":"127.0.0.1","is_local":true,"port":"8888","addresses":["127.0.0.1"]}',
  );
  assertEquals(await send(a.client, "DELETE", "/bind/stcpr"), { status: 200, text: "" });
  assertEquals(await send(b.client, "GET", `/resolve/stcpr/${a.pk.hex()}`), {
    status: 404,
    text: "",
  });
  assertEquals(await (await fetch(`${ar.url}/transports`)).text(), "{}");
});

Deno.test("address resolver: resolve refusals are Go's empty 400/404", async () => {
  await using ar = await startTestResolver();
  const a = ar.visor();
  await send(a.client, "POST", "/bind/stcpr", bindBody("7777", ["127.0.0.1"]));
  assertEquals(await send(a.client, "GET", "/resolve/stcpr/zz"), { status: 400, text: "" });
  assertEquals(await send(a.client, "GET", `/resolve/stcpr/${generateKeyPair().pk.hex()}`), {
    status: 404,
    text: "",
  });
  assertEquals((await send(a.client, "GET", "/resolve/stcpr/000")).status, 404);
  // sudph is bound over UDP in Go and never here; other types are unknown: 404, as Go -t.
  for (const type of ["sudph", "dmsg", "x"]) {
    assertEquals((await send(a.client, "GET", `/resolve/${type}/${a.pk.hex()}`)).status, 404);
  }
});

Deno.test("address resolver: bind refusals with Go's status and error text, nothing stored", async () => {
  await using ar = await startTestResolver({ testMode: false, maxBodyBytes: 1024 });
  const a = ar.visor();
  const pk = a.pk.hex();
  // Outside test mode a loopback requester cannot bind (Go binds public IPv4 only).
  const local = await send(a.client, "POST", "/bind/stcpr", bindBody("7777", ["127.0.0.1"]));
  assertEquals(local, {
    status: 400,
    text: JSON.stringify({
      error:
        `Cannot bind ${pk} to 127.0.0.1 (STCPR). Invalid IP address in request: {7777 [127.0.0.1]}`,
    }),
  });
  const malformed = await send(a.client, "POST", "/bind/stcpr", new TextEncoder().encode("nope"));
  assertEquals(malformed.status, 400);
  assertEquals(JSON.parse(malformed.text).error.startsWith("invalid bind request"), true);
  const big = await send(
    a.client,
    "POST",
    "/bind/stcpr",
    bindBody("7777", Array(200).fill("1.2.3.4")),
  );
  assertEquals(big.status, 413);
  assertEquals(await (await fetch(`${ar.url}/transports`)).text(), "{}");
});

Deno.test("address resolver: a visor must announce the address it binds from", async () => {
  await using ar = await startTestResolver();
  const a = ar.visor();
  const res = await send(a.client, "POST", "/bind/stcpr", bindBody("7777", ["10.0.0.1"]));
  assertEquals(res, {
    status: 400,
    text: JSON.stringify({
      error: `Cannot bind ${a.pk.hex()} to 127.0.0.1 (STCPR). Remote address not present ` +
        "in request: {7777 [10.0.0.1]}",
    }),
  });
  // An IPv4-mapped or otherwise equal spelling counts as the same address.
  assertEquals(
    (await send(a.client, "POST", "/bind/stcpr", bindBody("7777", ["::ffff:127.0.0.1"]))).status,
    200,
  );
});

Deno.test("address resolver: behind a trusted proxy the forwarded public IP is bound", async () => {
  await using ar = await startTestResolver({ testMode: false, trustProxyHeaders: true });
  const keys = generateKeyPair();
  const body = '{"port":"7777","addresses":["1.2.3.4"]}';
  const post = (headers: Record<string, string>) =>
    fetch(`${ar.url}/bind/stcpr`, {
      method: "POST",
      body,
      headers: {
        ...headers,
        "SW-Public": keys.pk.hex(),
        "SW-Nonce": "0",
        "SW-Sig": signRequest(new TextEncoder().encode(body), 0n, keys.sk).hex(),
      },
    }).then(async (r) => ({ status: r.status, text: await r.text() }));
  assertEquals(await post({ "X-Forwarded-For": "1.2.3.4, 10.0.0.1" }), { status: 200, text: "" });
  const b = ar.visor();
  const resolved = await send(b.client, "GET", `/resolve/stcpr/${keys.pk.hex()}`);
  assertEquals(
    resolved.text,
    '{"remote_addr":"1.2.3.4","port":"7777","addresses":["1.2.3.4"]}',
  );
});

Deno.test("address resolver: without trust, proxy headers are ignored", async () => {
  await using ar = await startTestResolver({ testMode: false });
  const keys = generateKeyPair();
  const body = '{"port":"7777","addresses":["1.2.3.4"]}';
  const res = await fetch(`${ar.url}/bind/stcpr`, {
    method: "POST",
    body,
    headers: {
      "X-Real-IP": "1.2.3.4",
      "SW-Public": keys.pk.hex(),
      "SW-Nonce": "0",
      "SW-Sig": signRequest(new TextEncoder().encode(body), 0n, keys.sk).hex(),
    },
  });
  assertEquals(res.status, 400);
  assertEquals((await res.text()).includes("to 127.0.0.1 (STCPR). Invalid IP address"), true);
});

Deno.test("address resolver: httpauth refusals, nonce reuse, and the public routes", async () => {
  await using ar = await startTestResolver();
  const keys = generateKeyPair();
  const body = '{"port":"7777","addresses":["127.0.0.1"]}';
  const headers = {
    "SW-Public": keys.pk.hex(),
    "SW-Nonce": "0",
    "SW-Sig": signRequest(new TextEncoder().encode(body), 0n, keys.sk).hex(),
  };
  const post = (h: Record<string, string>) =>
    fetch(`${ar.url}/bind/stcpr`, { method: "POST", body, headers: h }).then(async (r) => ({
      status: r.status,
      text: await r.text(),
    }));
  assertEquals(await post({}), {
    status: 401,
    text: '{"error":{"message":"SW-Public missing","code":401}}\n',
  });
  assertEquals((await post(headers)).status, 200);
  assertEquals(await post(headers), {
    status: 401,
    text: '{"error":{"message":"SW-Nonce does not match","code":401}}\n',
  });
  const nonce = await fetch(`${ar.url}/security/nonces/${keys.pk.hex()}`);
  assertEquals(await nonce.text(), `{"edge":"${keys.pk.hex()}","next_nonce":1}\n`);
  const health = await fetch(`${ar.url}/health`);
  assertEquals(health.status, 200);
  assertEquals(typeof JSON.parse(await health.text()).started_at, "string");
  const wrong = await fetch(`${ar.url}/transports`, { method: "POST" });
  assertEquals([wrong.status, await wrong.text()], [405, ""]);
  const unknown = await fetch(`${ar.url}/nope`);
  assertEquals([unknown.status, await unknown.text()], [404, "404 page not found\n"]);
});

Deno.test("address resolver: bindings expire unless refreshed, and survive a restart", async () => {
  await using ar = await startTestResolver({ bindTtlMs: 60_000 });
  const a = ar.visor();
  await send(a.client, "POST", "/bind/stcpr", bindBody("7777", ["127.0.0.1"]));
  ar.clock.ms += 50_000;
  await send(a.client, "POST", "/bind/stcpr", bindBody("7777", ["127.0.0.1"]));
  ar.clock.ms += 50_000;
  // Refreshed 50 s ago: still there, also after a restart.
  await ar.restart();
  // The restarted resolver listens on a new port: a client for it.
  const b = ar.visor();
  assertEquals((await send(b.client, "GET", `/resolve/stcpr/${a.pk.hex()}`)).status, 200);
  ar.clock.ms += 10_001;
  assertEquals((await send(b.client, "GET", `/resolve/stcpr/${a.pk.hex()}`)).status, 404);
  assertEquals(await (await fetch(`${ar.url}/transports`)).text(), "{}");
});

Deno.test("address resolver: the per-key limit refuses a flood and keeps the store sound", async () => {
  await using ar = await startTestResolver({ keyRateLimit: { ratePerSecond: 1, burst: 5 } });
  const a = ar.visor();
  const statuses: number[] = [];
  for (let i = 0; i < 20; i++) {
    statuses.push(
      (await send(a.client, "POST", "/bind/stcpr", bindBody(String(1000 + i), ["127.0.0.1"])))
        .status,
    );
  }
  assertEquals(statuses.filter((s) => s === 200).length, 5);
  assertEquals(statuses.filter((s) => s === 429).length, 15);
  const b = ar.visor();
  assertEquals(
    JSON.parse((await send(b.client, "GET", `/resolve/stcpr/${a.pk.hex()}`)).text).port,
    "1004",
  );
});
