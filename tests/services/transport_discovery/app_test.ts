import { assertEquals, assertMatch } from "@std/assert";
import { generateKeyPair, Sig } from "../../../mod/cipher/mod.ts";
import { signRequest } from "../../../mod/httpauth/mod.ts";
import { encodeEntry, makeEntry, newSignedEntry } from "../../../mod/transport/mod.ts";
import { registerBody, send, settledEntry, startTestTpd } from "./_harness.ts";

const enc = new TextEncoder();

function goError(message: string): string {
  return `{"error":${JSON.stringify(message)}}\n`;
}

Deno.test("tpd: register echoes Go's SignedEntry JSON; get by id, by edge; delete", async () => {
  await using tpd = await startTestTpd();
  const a = tpd.visor(), b = tpd.visor();
  const signed = settledEntry(a, b);
  const id = signed.entry.id;
  const registered = await send(b, "POST", "/transports/", registerBody([signed]));
  assertEquals(registered.status, 201);
  assertEquals(registered.type, "application/json");
  const ns = BigInt(tpd.clock.ms) * 1_000_000n;
  assertEquals(
    registered.text,
    `[{"entry":${encodeEntry(signed.entry)},"signatures":["${signed.signatures[0].hex()}",` +
      `"${signed.signatures[1].hex()}"],"registered":${ns}}]\n`,
  );
  const entryJson = encodeEntry(signed.entry);
  assertEquals(await send(a, "GET", `/transports/id:${id}`), {
    status: 200,
    text: entryJson + "\n",
    type: "application/json",
  });
  // Go's uuid.Parse forms are all accepted.
  const bare = id.replaceAll("-", "");
  assertEquals((await send(a, "GET", `/transports/id:${bare}`)).text, entryJson + "\n");
  assertEquals((await send(a, "GET", `/transports/id:urn:uuid:${id}`)).status, 200);
  for (const edge of [a, b]) {
    assertEquals(
      (await send(a, "GET", `/transports/edge:${edge.pk.hex()}`)).text,
      `[${entryJson}]\n`,
    );
  }
  const deleted = await send(a, "DELETE", `/transports/id:${id}`);
  assertEquals(deleted, {
    status: 200,
    text: "transport deleted",
    type: "text/plain; charset=utf-8",
  });
  assertEquals(await send(a, "GET", `/transports/id:${id}`), {
    status: 404,
    text: goError("transport not found"),
    type: "application/json",
  });
  assertEquals((await send(a, "GET", `/transports/edge:${a.pk.hex()}`)).status, 404);
});

Deno.test("tpd: read and delete refusals with Go's status and text", async () => {
  await using tpd = await startTestTpd();
  const a = tpd.visor(), b = tpd.visor(), c = tpd.visor();
  const signed = settledEntry(a, b);
  await send(a, "POST", "/transports/", registerBody([signed]));
  const cases: Array<[string, string, number, string]> = [
    ["GET", "/transports/id:zz", 400, "transport ID is invalid"],
    ["GET", `/transports/id:${crypto.randomUUID()}`, 404, "transport not found"],
    ["GET", "/transports/edge:zz", 400, "public key is invalid"],
    ["GET", `/transports/edge:${c.pk.hex()}`, 404, "transport not found"],
    ["GET", "/transports/edge:000", 404, "transport not found"],
    ["DELETE", "/transports/id:nope", 400, "transport ID is invalid"],
    ["DELETE", `/transports/id:${crypto.randomUUID()}`, 404, "transport not found"],
    // Only an edge deletes a transport; Go calls the id invalid for anyone else.
    ["DELETE", `/transports/id:${signed.entry.id}`, 400, "transport ID is invalid"],
  ];
  for (const [method, path, status, message] of cases) {
    assertEquals(await send(c, method, path), {
      status,
      text: goError(message),
      type: "application/json",
    }, `${method} ${path}`);
  }
  assertEquals((await send(a, "GET", `/transports/id:${signed.entry.id}`)).status, 200);
});

Deno.test("tpd: refused registrations store nothing", async () => {
  await using tpd = await startTestTpd({ maxBodyBytes: 8 * 1024 });
  const a = tpd.visor(), b = tpd.visor(), c = tpd.visor();
  const good = settledEntry(a, b);
  const other = settledEntry(a, c);
  const onlyOne = newSignedEntry(other.entry, a);
  const forgedId = { ...other, entry: { ...other.entry, id: crypto.randomUUID() } };
  const bodies: Array<[string, Uint8Array | string, string | RegExp]> = [
    ["not json", "nope", /invalid JSON/],
    ["an object", "{}", /want a JSON array/],
    ["a number for an entry", '[{"entry":5}]', /want a JSON object/],
    ["a null element", "[null]", /entry part of signed entry is empty/],
    [
      "a bad edge",
      '[{"entry":{"t_id":"x","edges":["zz","00"]}}]',
      /invalid UUID|invalid public key/,
    ],
    ["a non-edge registrant", registerBody([settledEntry(b, c)]), / is not an edge of transport /],
    ["one signature", registerBody([good, onlyOne]), /signature of edge [01] .* is missing/],
    ["a made-up id", registerBody([good, forgedId]), "transport ID is invalid"],
  ];
  for (const [what, body, message] of bodies) {
    const res = await send(a, "POST", "/transports/", body);
    assertEquals(res.status, 400, what);
    const error = JSON.parse(res.text).error as string;
    if (typeof message === "string") assertEquals(error, message, what);
    else assertMatch(error, message, what);
  }
  const big = await send(a, "POST", "/transports/", registerBody(Array(40).fill(good)));
  assertEquals(big.status, 413);
  // The good entry was in refused batches only: nothing is stored.
  assertEquals((await fetch(`${tpd.url}/all-transports`)).status, 404);
  await (await fetch(`${tpd.url}/all-transports`)).body?.cancel();
  // Go answers `null` for `null`.
  assertEquals(await send(a, "POST", "/transports/", "null\n"), {
    status: 201,
    text: "null\n",
    type: "application/json",
  });
});

Deno.test("tpd: a registered entry is refreshed by an edge without signatures, not created", async () => {
  await using tpd = await startTestTpd();
  const a = tpd.visor(), b = tpd.visor();
  const signed = settledEntry(a, b);
  const bare = { ...signed, signatures: [Sig.zero(), Sig.zero()] as [Sig, Sig] };
  assertEquals((await send(a, "POST", "/transports/", registerBody([bare]))).status, 400);
  assertEquals((await send(b, "POST", "/transports/", registerBody([signed]))).status, 201);
  const refreshed = await send(a, "POST", "/transports/", registerBody([bare]));
  assertEquals(refreshed.status, 201);
  // The first registration time is kept.
  tpd.clock.ms += 1_000;
  const again = await send(a, "POST", "/transports/", registerBody([bare]));
  assertEquals(JSON.parse(again.text)[0].registered, JSON.parse(refreshed.text)[0].registered);
});

Deno.test("tpd: delete-batch, POST /transports/edges and /all-transports", async () => {
  await using tpd = await startTestTpd();
  const a = tpd.visor(), b = tpd.visor(), c = tpd.visor();
  const ab = settledEntry(a, b), ac = settledEntry(a, c, "stcpr"), bc = settledEntry(b, c);
  await send(a, "POST", "/transports/", registerBody([ab, ac]));
  await send(b, "POST", "/transports/", registerBody([bc]));
  // A transport of c to itself (made with its deterministic id).
  const selfEntry = newSignedEntry(makeEntry(c.pk, c.pk, "dmsg"), c);
  assertEquals((await send(c, "POST", "/transports/", registerBody([selfEntry]))).status, 201);

  const all = await (await fetch(`${tpd.url}/all-transports`)).json();
  assertEquals(all.length, 4);
  const hidden = await (await fetch(`${tpd.url}/all-transports?selfTransports=hide`)).json();
  assertEquals(hidden.length, 3);

  const edges = await fetch(`${tpd.url}/transports/edges`, {
    method: "POST",
    body: JSON.stringify([a.pk.hex(), " " + b.pk.hex() + " ", "junk", a.pk.hex()]),
  });
  const found = (await edges.json()).map((e: { t_id: string }) => e.t_id).sort();
  assertEquals(found, [ab.entry.id, ac.entry.id, bc.entry.id].sort());
  const none = await fetch(`${tpd.url}/transports/edges`, { method: "POST", body: "[]" });
  assertEquals(await none.text(), "[]\n");
  const bad = await fetch(`${tpd.url}/transports/edges`, { method: "POST", body: "{" });
  assertEquals([bad.status, await bad.text()], [400, goError("public key is invalid")]);

  // a deletes ab and ac; bc is not a's; junk is skipped.
  const batch = await send(
    a,
    "POST",
    "/transports/delete-batch",
    JSON.stringify([ab.entry.id, ac.entry.id, bc.entry.id, "junk", crypto.randomUUID()]),
  );
  assertEquals(batch, {
    status: 200,
    text: '{"deleted":2,"skipped":3}\n',
    type: "application/json",
  });
  const malformed = await send(a, "POST", "/transports/delete-batch", "[1,2]");
  assertEquals([malformed.status, malformed.text], [400, goError("error bad input")]);
  const left = await (await fetch(`${tpd.url}/all-transports?selfTransports=hide`)).json();
  assertEquals(left.map((e: { t_id: string }) => e.t_id), [bc.entry.id]);
});

Deno.test("tpd: heartbeat and uptimes; statuses, health, wrong methods, unknown paths", async () => {
  await using tpd = await startTestTpd();
  const a = tpd.visor();
  assertEquals(await send(a, "GET", "/v4/update?version=v1.3.29"), {
    status: 200,
    text: '{"status":"ok"}\n',
    type: "application/json",
  });
  assertEquals(
    await (await fetch(`${tpd.url}/uptimes`)).text(),
    `[{"pk":"${a.pk.hex()}","on":true,"version":"v1.3.29"}]\n`,
  );
  tpd.clock.ms += 11 * 60_000;
  assertEquals((await (await fetch(`${tpd.url}/uptimes`)).json())[0].on, false);

  const statuses = await fetch(`${tpd.url}/statuses`, { method: "POST" });
  assertEquals([statuses.status, await statuses.text()], [410, ""]);
  const health = await (await fetch(`${tpd.url}/health`)).json();
  assertEquals(health.service_name, "transport-discovery");
  for (
    const [method, path] of [["GET", "/transports/"], ["GET", "/transports/edges"], [
      "PUT",
      "/all-transports",
    ]]
  ) {
    const res = await fetch(`${tpd.url}${path}`, { method });
    assertEquals([res.status, await res.text()], [405, ""], `${method} ${path}`);
  }
  for (const path of ["/nope", "/transports/other:1"]) {
    const res = await fetch(`${tpd.url}${path}`);
    assertEquals([res.status, await res.text()], [404, "404 page not found\n"], path);
  }
});

Deno.test("tpd: httpauth refusals and nonce reuse on the private routes", async () => {
  await using tpd = await startTestTpd();
  const keys = generateKeyPair();
  const path = `/transports/edge:${keys.pk.hex()}`;
  const noAuth = await fetch(`${tpd.url}${path}`);
  assertEquals([noAuth.status, await noAuth.text()], [
    401,
    '{"error":{"message":"SW-Public missing","code":401}}\n',
  ]);
  const headers = {
    "SW-Public": keys.pk.hex(),
    "SW-Nonce": "0",
    "SW-Sig": signRequest(new Uint8Array(0), 0n, keys.sk).hex(),
  };
  assertEquals(
    await (await fetch(`${tpd.url}${path}`, { headers })).text(),
    goError("transport not found"),
  );
  const replay = await fetch(`${tpd.url}${path}`, { headers });
  assertEquals([replay.status, await replay.text()], [
    401,
    '{"error":{"message":"SW-Nonce does not match","code":401}}\n',
  ]);
  // A body signed for one request cannot carry another.
  const body = enc.encode("[]");
  const tampered = await fetch(`${tpd.url}/transports/`, {
    method: "POST",
    body: "null",
    headers: {
      "SW-Public": keys.pk.hex(),
      "SW-Nonce": "1",
      "SW-Sig": signRequest(body, 1n, keys.sk).hex(),
    },
  });
  assertEquals(tampered.status, 401);
  await tampered.body?.cancel();
});
