import { assertEquals } from "@std/assert";
import { generateKeyPair, type KeyPair } from "../../../mod/cipher/mod.ts";
import { signRequest } from "../../../mod/httpauth/mod.ts";
import { call, startAuthServer } from "./_server.ts";

const enc = new TextEncoder();

function signed(keys: KeyPair, nonce: bigint, body = ""): Record<string, string> {
  return {
    "SW-Public": keys.pk.hex(),
    "SW-Nonce": nonce.toString(),
    "SW-Sig": signRequest(enc.encode(body), nonce, keys.sk).hex(),
  };
}

function goError(code: number, message: string): string {
  return `{"error":{"message":${JSON.stringify(message)},"code":${code}}}\n`;
}

Deno.test("httpauth: the nonce route answers Go's JSON", async () => {
  await using server = await startAuthServer();
  const keys = generateKeyPair();
  const ok = await call(`${server.url}/security/nonces/${keys.pk.hex()}`);
  assertEquals(ok.status, 200);
  assertEquals(ok.headers.get("content-type"), "application/json");
  assertEquals(ok.text, `{"edge":"${keys.pk.hex()}","next_nonce":0}\n`);
  for (const bad of ["000", "zz", "02ab"]) {
    const res = await call(`${server.url}/security/nonces/${bad}`);
    assertEquals(res.status, 400, bad);
  }
  assertEquals(
    (await call(`${server.url}/security/nonces/000`)).text,
    goError(400, "Invalid public key"),
  );
});

Deno.test("httpauth: every refusal is Go's 401 with its JSON body, and serves nothing", async () => {
  await using server = await startAuthServer();
  const keys = generateKeyPair();
  const other = generateKeyPair();
  const url = `${server.url}/ok`;
  const cases: Array<[Record<string, string>, string]> = [
    [{}, "SW-Public missing"],
    [{ "SW-Public": keys.pk.hex() }, "SW-Sig missing"],
    [{ ...signed(keys, 0n), "SW-Nonce": "" }, "SW-Nonce missing"],
    [{ ...signed(keys, 0n), "SW-Nonce": "1.5" }, "error parsing SW-Nonce: invalid syntax"],
    [signed(keys, 1n), "SW-Nonce does not match"],
    // Signed by another key.
    [
      { ...signed(other, 0n), "SW-Public": keys.pk.hex() },
      "Recovered pubkey does not match pubkey",
    ],
    // Signed over a different body.
    [{ ...signed(keys, 0n, "x") }, "Recovered pubkey does not match pubkey"],
    [{ ...signed(keys, 0n), "SW-Sig": "00".repeat(65) }, "Failed to recover pubkey from signature"],
    [
      { ...signed(keys, 0n), "SW-Public": "0".repeat(66) },
      "Recovered pubkey does not match pubkey",
    ],
  ];
  for (const [headers, message] of cases) {
    const res = await call(url, { headers });
    assertEquals(res.status, 401, message);
    assertEquals(res.headers.get("content-type"), "application/json");
    assertEquals(res.text, goError(401, message));
  }
  assertEquals(server.served.length, 0);
  // None of the refusals used the nonce.
  assertEquals(await server.nonces.nonce(keys.pk), 0n);
  assertEquals((await call(url, { headers: signed(keys, 0n) })).status, 200);
});

Deno.test("httpauth: a nonce is accepted once, for any outcome of the handler", async () => {
  await using server = await startAuthServer();
  const keys = generateKeyPair();
  const first = await call(`${server.url}/ok`, { headers: signed(keys, 0n) });
  assertEquals([first.status, first.text], [200, "ok"]);
  const replay = await call(`${server.url}/ok`, { headers: signed(keys, 0n) });
  assertEquals(replay.status, 401);
  assertEquals(replay.text, goError(401, "SW-Nonce does not match"));
  // A 404 and a 201 from the handler use their nonces too.
  assertEquals((await call(`${server.url}/missing`, { headers: signed(keys, 1n) })).status, 404);
  assertEquals(
    (await call(`${server.url}/created`, { method: "POST", headers: signed(keys, 2n) })).status,
    201,
  );
  assertEquals((await call(`${server.url}/missing`, { headers: signed(keys, 2n) })).status, 401);
  assertEquals(await server.nonces.nonce(keys.pk), 3n);
  // Another key has its own sequence.
  const other = generateKeyPair();
  assertEquals((await call(`${server.url}/ok`, { headers: signed(other, 0n) })).status, 200);
  assertEquals(server.served.map((s) => s.path), ["/ok", "/missing", "/created", "/ok"]);
});

Deno.test("httpauth: the body is signed and handed to the handler", async () => {
  await using server = await startAuthServer();
  const keys = generateKeyPair();
  const body = '[{"entry":null}]\n';
  const res = await call(`${server.url}/echo`, {
    method: "POST",
    headers: signed(keys, 0n, body),
    body,
  });
  assertEquals([res.status, res.text], [200, body]);
  // The same headers with another body fail.
  const tampered = await call(`${server.url}/echo`, {
    method: "POST",
    headers: signed(keys, 1n, body),
    body: body + " ",
  });
  assertEquals(tampered.status, 401);
});

Deno.test("httpauth: an oversize body is refused 413 before anything else", async () => {
  await using server = await startAuthServer({ maxBodyBytes: 100 });
  const keys = generateKeyPair();
  const body = "x".repeat(101);
  const res = await call(`${server.url}/echo`, {
    method: "POST",
    headers: signed(keys, 0n, body),
    body,
  });
  assertEquals(res.status, 413);
  assertEquals(await server.nonces.nonce(keys.pk), 0n);
  // A chunked body (no content-length) is cut off too.
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < 10; i++) controller.enqueue(enc.encode("x".repeat(20)));
      controller.close();
    },
  });
  const chunked = await call(`${server.url}/echo`, {
    method: "POST",
    headers: signed(keys, 0n, "x".repeat(200)),
    body: stream,
  });
  assertEquals(chunked.status, 413);
});

Deno.test("httpauth: requests racing with one nonce: exactly one is served", async () => {
  await using server = await startAuthServer();
  const keys = generateKeyPair();
  const results = await Promise.all(
    Array.from({ length: 20 }, () => call(`${server.url}/ok`, { headers: signed(keys, 0n) })),
  );
  const statuses = results.map((r) => r.status).sort();
  assertEquals(statuses.filter((s) => s === 200).length, 1);
  assertEquals(statuses.filter((s) => s === 401).length, 19);
  for (const r of results.filter((r) => r.status === 401)) {
    assertEquals(r.text, goError(401, "SW-Nonce does not match"));
  }
  assertEquals(server.served.length, 1);
  assertEquals(await server.nonces.nonce(keys.pk), 1n);
});

Deno.test("httpauth: the per-key limit applies after verification and keeps the nonce", async () => {
  // Two requests per key, then none until `refill`.
  const used = new Map<string, number>();
  const limiter = {
    allow: (key: string) => {
      used.set(key, (used.get(key) ?? 0) + 1);
      return used.get(key)! <= 2;
    },
  };
  await using server = await startAuthServer({ limiter });
  const keys = generateKeyPair();
  assertEquals((await call(`${server.url}/ok`, { headers: signed(keys, 0n) })).status, 200);
  assertEquals((await call(`${server.url}/ok`, { headers: signed(keys, 1n) })).status, 200);
  const limited = await call(`${server.url}/ok`, { headers: signed(keys, 2n) });
  assertEquals(limited.status, 429);
  assertEquals(limited.text, goError(429, "rate limit exceeded"));
  assertEquals(await server.nonces.nonce(keys.pk), 2n);
  // Forged requests naming the key do not use its allowance.
  used.clear();
  const other = generateKeyPair();
  for (let i = 0; i < 5; i++) {
    const forged = await call(`${server.url}/ok`, {
      headers: { ...signed(other, 2n), "SW-Public": keys.pk.hex() },
    });
    assertEquals(forged.status, 401);
  }
  assertEquals((await call(`${server.url}/ok`, { headers: signed(keys, 2n) })).status, 200);
});

Deno.test("httpauth: nonces survive a restart (they live in the KV file)", async () => {
  await using server = await startAuthServer();
  const keys = generateKeyPair();
  for (let n = 0n; n < 3n; n++) {
    assertEquals((await call(`${server.url}/ok`, { headers: signed(keys, n) })).status, 200);
  }
  await server.stop();
  await server.restart();
  const nonce = await call(`${server.url}/security/nonces/${keys.pk.hex()}`);
  assertEquals(nonce.text, `{"edge":"${keys.pk.hex()}","next_nonce":3}\n`);
  assertEquals((await call(`${server.url}/ok`, { headers: signed(keys, 2n) })).status, 401);
  assertEquals((await call(`${server.url}/ok`, { headers: signed(keys, 3n) })).status, 200);
});

Deno.test("httpauth: a client that leaves mid-body gets a 400, not a server error", async () => {
  await using server = await startAuthServer();
  const keys = generateKeyPair();
  const body = "x".repeat(100);
  const headers = Object.entries(signed(keys, 0n, body)).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: Number(new URL(server.url).port),
  });
  await conn.write(enc.encode(
    `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n${headers}\r\n${body.slice(0, 10)}`,
  ));
  conn.close();
  // The server notices the short body; then it serves the same key as before.
  await new Promise((resolve) => setTimeout(resolve, 200));
  assertEquals(server.errors, []);
  assertEquals(server.served.length, 0);
  assertEquals((await call(`${server.url}/ok`, { headers: signed(keys, 0n) })).status, 200);
});
