import { assert, assertEquals, assertMatch } from "@std/assert";
import {
  decodeEntryList,
  type Entry,
  marshalEntry,
  nowNanos,
  signEntry,
} from "../../../mod/dmsg/mod.ts";
import {
  call,
  clientEntry,
  generateKeyPair,
  goMessage,
  post,
  serverEntry,
  startTestDiscovery,
} from "./_harness.ts";

const dec = new TextDecoder();
const canonical = (entry: Entry) => dec.decode(marshalEntry(entry));
const WRONG_SEQUENCE = goMessage(
  422,
  "entry validation error: sequence field of new entry is not sequence of old entry + 1",
);

Deno.test("a client and a server register and read back as Go-canonical JSON", async () => {
  await using d = await startTestDiscovery();
  const client = generateKeyPair(), server = generateKeyPair();
  const s = serverEntry(server, d.clock, { serverType: "" });
  const c = clientEntry(client, d.clock, { delegated: [server], clientType: "visor" });
  assertEquals(await post(d.url, s), {
    status: 200,
    text: goMessage(200, "wrote a new entry"),
    headers: (await post(d.url, c)).headers,
  });
  const gotClient = await call(`${d.url}/dmsg-discovery/entry/${client.pk.hex()}`);
  assertEquals(gotClient.status, 200);
  assertEquals(gotClient.headers.get("content-type"), "application/json");
  assertEquals(gotClient.text, canonical(c));
  // Go classes a server: the default passphrase is "" so an unclaimed server is official.
  const gotServer = await call(`${d.url}/dmsg-discovery/entry/${server.pk.hex()}`);
  assertEquals(
    gotServer.text,
    canonical({ ...s, server: { ...s.server!, serverType: "official" } }),
  );
  const missing = await call(`${d.url}/dmsg-discovery/entry/${generateKeyPair().pk.hex()}`);
  assertEquals(missing, {
    status: 404,
    text: goMessage(404, "entry of public key is not found"),
    headers: missing.headers,
  });
  const bad = await call(`${d.url}/dmsg-discovery/entry/xyz`);
  assertEquals([bad.status, bad.text], [400, goMessage(400, "error bad input")]);
});

Deno.test("an update needs sequence + 1 and a timestamp not older; replays are refused", async () => {
  await using d = await startTestDiscovery();
  const keys = generateKeyPair();
  const first = clientEntry(keys, d.clock);
  assertEquals((await post(d.url, first)).status, 200);
  const replay = await post(d.url, first);
  assertEquals([replay.status, replay.text], [422, WRONG_SEQUENCE]);
  d.clock.ms += 1000;
  const next = clientEntry(keys, d.clock, { sequence: 1n });
  const updated = await post(d.url, next);
  assertEquals([updated.status, updated.text], [200, goMessage(200, "wrote new entry iteration")]);
  d.clock.ms += 1000;
  const skip = await post(d.url, clientEntry(keys, d.clock, { sequence: 3n }));
  assertEquals([skip.status, skip.text], [422, WRONG_SEQUENCE]);
  d.clock.ms -= 5000;
  const older = await post(d.url, clientEntry(keys, d.clock, { sequence: 2n }));
  assertEquals(
    older.text,
    goMessage(
      422,
      "entry validation error: advertised entry timestamp is not greater than previous",
    ),
  );
  const fresh = await post(d.url, clientEntry(generateKeyPair(), d.clock, { sequence: 4n }));
  assertEquals(
    fresh.text,
    goMessage(422, "entry validation error: new entry has non-zero sequence"),
  );
  const stored = await call(`${d.url}/dmsg-discovery/entry/${keys.pk.hex()}`);
  assertEquals(stored.text, canonical(next));
});

Deno.test("strictSequence false applies Go's own rule: any higher sequence", async () => {
  await using d = await startTestDiscovery({ strictSequence: false });
  const keys = generateKeyPair();
  assertEquals((await post(d.url, clientEntry(keys, d.clock, { sequence: 7n }))).status, 200);
  assertEquals((await post(d.url, clientEntry(keys, d.clock, { sequence: 9n }))).status, 200);
  const stale = await post(d.url, clientEntry(keys, d.clock, { sequence: 9n }));
  assertEquals([stale.status, stale.text], [422, WRONG_SEQUENCE]);
});

Deno.test("a bad signature is 401 and nothing is stored", async () => {
  await using d = await startTestDiscovery();
  const keys = generateKeyPair(), thief = generateKeyPair();
  const entry = clientEntry(keys, d.clock);
  const forged = signEntry(entry, thief.sk);
  const tampered = { ...entry, clientType: "visor" };
  for (const bad of [forged, tampered, { ...entry, signature: "00" }]) {
    const res = await post(d.url, bad);
    assertEquals([res.status, res.text], [401, goMessage(401, "invalid signature")]);
  }
  assertEquals((await call(`${d.url}/dmsg-discovery/entry/${keys.pk.hex()}`)).status, 404);
  const unsigned = await post(d.url, { ...entry, signature: "" });
  assertEquals(unsigned.text, goMessage(422, "entry validation error: entry has no signature"));
});

Deno.test("malformed JSON is Go's 500; null and {} fail validation with 422", async () => {
  await using d = await startTestDiscovery();
  const send = (body: string) => call(`${d.url}/dmsg-discovery/entry/`, { method: "POST", body });
  for (const body of ["", "{bad", `{"version":1}`, `[1]`, `{"sequence":1.5}`]) {
    const res = await send(body);
    assertEquals(
      [res.status, res.text],
      [500, goMessage(500, "something unexpected happened")],
      body,
    );
  }
  for (const body of ["null", "{}"]) {
    const res = await send(body);
    assertEquals(res.text, goMessage(422, "entry validation error: entry has no version"), body);
  }
  assertEquals((await call(`${d.url}/dmsg-discovery/entries`)).text, "[]");
});

Deno.test("oversize bodies get 413, declared or chunked, and are not stored", async () => {
  await using d = await startTestDiscovery({ maxBodyBytes: 4096 });
  const big = " ".repeat(5000) + "{}";
  const declared = await call(`${d.url}/dmsg-discovery/entry/`, { method: "POST", body: big });
  assertEquals([declared.status, declared.text], [413, goMessage(413, "Request Entity Too Large")]);
  const chunks = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < 10; i++) controller.enqueue(new Uint8Array(1000).fill(0x20));
      controller.close();
    },
  });
  const chunked = await call(`${d.url}/dmsg-discovery/entry/`, { method: "POST", body: chunks });
  assertEquals(chunked.status, 413);
  const batch = await call(`${d.url}/dmsg-discovery/entries/batch`, { method: "POST", body: big });
  assertEquals(batch.status, 413);
});

Deno.test("timestamps must be fresh: -1 min/+5 s for servers (Go), -5 min/+1 min for clients", async () => {
  await using d = await startTestDiscovery();
  const at = (deltaMs: number) => ({ ms: d.clock.ms + deltaMs });
  const outdated = goMessage(
    422,
    "entry validation error: advertised entry has outdated timestamp",
  );
  assertEquals((await post(d.url, serverEntry(generateKeyPair(), at(-61_000)))).text, outdated);
  assertEquals((await post(d.url, serverEntry(generateKeyPair(), at(6_000)))).text, outdated);
  assertEquals((await post(d.url, serverEntry(generateKeyPair(), at(-59_000)))).status, 200);
  assertEquals((await post(d.url, serverEntry(generateKeyPair(), at(4_000)))).status, 200);
  // Go checks no client timestamp; a day-old client entry is a replay here.
  assertEquals((await post(d.url, clientEntry(generateKeyPair(), at(-86_400_000)))).text, outdated);
  assertEquals((await post(d.url, clientEntry(generateKeyPair(), at(-301_000)))).text, outdated);
  assertEquals((await post(d.url, clientEntry(generateKeyPair(), at(61_000)))).text, outdated);
  assertEquals((await post(d.url, clientEntry(generateKeyPair(), at(-299_000)))).status, 200);
  assertEquals((await post(d.url, clientEntry(generateKeyPair(), at(59_000)))).status, 200);
});

Deno.test("outside test mode a loopback or empty-host server address is refused", async () => {
  await using d = await startTestDiscovery({ testMode: false });
  const refused = goMessage(
    422,
    "entry validation error: advertising localhost listening address is not allowed in production mode",
  );
  for (
    const address of ["127.0.0.1:8081", "[::1]:80", ":8081", "127.9.9.9:1", "[::ffff:127.0.0.1]:1"]
  ) {
    const res = await post(d.url, serverEntry(generateKeyPair(), d.clock, { address }));
    assertEquals(res.text, refused, address);
  }
  for (const address of ["203.0.113.1:8081", "localhost:8081", "no-port"]) {
    const res = await post(d.url, serverEntry(generateKeyPair(), d.clock, { address }));
    assertEquals(res.status, 200, address);
  }
  const empty = await post(d.url, serverEntry(generateKeyPair(), d.clock, { address: "" }));
  assertEquals(
    empty.text,
    goMessage(422, "entry validation error: server address cannot be empty"),
  );
});

Deno.test("available_servers: free servers only, most free first, at most 512; 404 when none", async () => {
  await using d = await startTestDiscovery();
  const none = await call(`${d.url}/dmsg-discovery/available_servers`);
  assertEquals(
    [none.status, none.text],
    [404, goMessage(404, "no delegated dmsg servers available for remote")],
  );
  assertEquals((await call(`${d.url}/dmsg-discovery/all_servers`)).status, 404);
  const full = serverEntry(generateKeyPair(), d.clock, { sessions: 0 });
  assertEquals((await post(d.url, full)).status, 200);
  assertEquals((await call(`${d.url}/dmsg-discovery/available_servers`)).status, 404);
  const sessions = Array.from({ length: 520 }, (_, i) => (i * 7919) % 1000 + 1);
  for (const n of sessions) {
    assertEquals(
      (await post(d.url, serverEntry(generateKeyPair(), d.clock, { sessions: n }))).status,
      200,
    );
  }
  const res = await call(`${d.url}/dmsg-discovery/available_servers`);
  const list = decodeEntryList(new TextEncoder().encode(res.text));
  assertEquals(list.length, 512);
  const got = list.map((e) => Number(e.server!.availableSessions));
  assertEquals(got, [...sessions].sort((a, b) => b - a).slice(0, 512));
  const all = decodeEntryList(
    new TextEncoder().encode((await call(`${d.url}/dmsg-discovery/all_servers`)).text),
  );
  assertEquals(all.length, 521);
});

Deno.test("batch answers the stored entries keyed as asked; bad input is 400", async () => {
  await using d = await startTestDiscovery();
  const a = generateKeyPair(), b = generateKeyPair();
  const ea = clientEntry(a, d.clock);
  await post(d.url, ea);
  const body = JSON.stringify([a.pk.hex(), ` ${a.pk.hex()} `, b.pk.hex(), "junk", "", a.pk.hex()]);
  const res = await call(`${d.url}/dmsg-discovery/entries/batch`, { method: "POST", body });
  assertEquals(res.status, 200);
  assertEquals(
    res.text,
    `{"${a.pk.hex()}":${canonical(ea)},${JSON.stringify(` ${a.pk.hex()} `)}:${canonical(ea)}}`,
  );
  for (const bad of ["{", `[1]`, `["a"] x`, JSON.stringify(Array(513).fill(a.pk.hex()))]) {
    const r = await call(`${d.url}/dmsg-discovery/entries/batch`, { method: "POST", body: bad });
    assertEquals([r.status, r.text], [400, goMessage(400, "error bad input")], bad.slice(0, 20));
  }
  const empty = await call(`${d.url}/dmsg-discovery/entries/batch`, {
    method: "POST",
    body: "null",
  });
  assertEquals(empty.text, "{}");
});

Deno.test("delete needs a fresh signed iteration; the served entry and forgeries are refused", async () => {
  await using d = await startTestDiscovery();
  const keys = generateKeyPair();
  const entry = clientEntry(keys, d.clock, { delegated: [generateKeyPair()] });
  await post(d.url, entry);
  const del = (e: Entry) =>
    call(`${d.url}/dmsg-discovery/entry`, { method: "DELETE", body: marshalEntry(e) as BodyInit });
  const forged = await del(signEntry({ ...entry, sequence: 1n }, generateKeyPair().sk));
  assertEquals([forged.status, forged.text], [401, goMessage(401, "invalid signature")]);
  const replayed = await del(entry);
  assertEquals([replayed.status, replayed.text], [422, WRONG_SEQUENCE]);
  assertEquals((await call(`${d.url}/dmsg-discovery/entry/${keys.pk.hex()}`)).status, 200);
  d.clock.ms += 1000;
  const proof = clientEntry(keys, d.clock, { sequence: 1n });
  const ok = await del(proof);
  assertEquals([ok.status, ok.text], [200, goMessage(200, "deleted entry")]);
  assertEquals((await call(`${d.url}/dmsg-discovery/entry/${keys.pk.hex()}`)).status, 404);
  assertEquals((await call(`${d.url}/dmsg-discovery/entries`)).text, "[]");
  // Deleting what is gone is fine with a newer proof, not with the same one again.
  assertEquals((await del(proof)).status, 422);
  d.clock.ms += 1000;
  assertEquals((await del(clientEntry(keys, d.clock, { sequence: 2n }))).status, 200);
  const junk = await call(`${d.url}/dmsg-discovery/entry`, { method: "DELETE", body: "x" });
  assertEquals(junk.status, 500);
});

Deno.test("client entries expire after the TTL, server entries after 2 minutes", async () => {
  await using d = await startTestDiscovery();
  const client = generateKeyPair(), server = generateKeyPair(), legacy = generateKeyPair();
  await post(d.url, clientEntry(client, d.clock));
  await post(d.url, serverEntry(server, d.clock));
  await post(d.url, clientEntry(legacy, d.clock), "?timeout=true");
  const has = async (pk: string) =>
    (await call(`${d.url}/dmsg-discovery/entry/${pk}`)).status === 200;
  d.clock.ms += 119_000;
  assert(await has(server.pk.hex()));
  assert(await has(legacy.pk.hex()));
  d.clock.ms += 2_000;
  assert(!await has(server.pk.hex()), "server entry outlives 2 minutes");
  assertEquals((await call(`${d.url}/dmsg-discovery/all_servers`)).status, 404);
  d.clock.ms += 60_000;
  assert(!await has(legacy.pk.hex()), "?timeout=true entry outlives 3 minutes");
  assert(await has(client.pk.hex()));
  d.clock.ms += 57 * 60_000;
  assert(!await has(client.pk.hex()), "client entry outlives 60 minutes");
  assertEquals((await call(`${d.url}/dmsg-discovery/entries`)).text, "[]");
  // An expired entry is gone for iteration too: the key registers afresh at sequence 0.
  assertEquals(
    (await post(d.url, clientEntry(client, d.clock))).text,
    goMessage(200, "wrote a new entry"),
  );
});

Deno.test("entries, visorEntries and the clients-by-server views", async () => {
  await using d = await startTestDiscovery();
  const s1 = generateKeyPair(), s2 = generateKeyPair();
  const v = generateKeyPair(), c = generateKeyPair();
  await post(d.url, clientEntry(v, d.clock, { delegated: [s1, s2], clientType: "visor" }));
  await post(d.url, clientEntry(c, d.clock, { delegated: [s1] }));
  const sorted = (text: string) => (JSON.parse(text) as string[]).sort();
  assertEquals(
    sorted((await call(`${d.url}/dmsg-discovery/entries`)).text),
    [v.pk.hex(), c.pk.hex()].sort(),
  );
  assertEquals((await call(`${d.url}/dmsg-discovery/visorEntries`)).text, `["${v.pk.hex()}"]`);
  const grouped = JSON.parse((await call(`${d.url}/dmsg-discovery/servers/clients`)).text);
  assertEquals(grouped[s1.pk.hex()].sort(), [v.pk.hex(), c.pk.hex()].sort());
  assertEquals(grouped[s2.pk.hex()], [v.pk.hex()]);
  const of2 = await call(`${d.url}/dmsg-discovery/server/${s2.pk.hex()}/clients`);
  assertEquals(of2.text, `["${v.pk.hex()}"]`);
  // Go answers a nil slice, `null`, when nobody delegates to the server.
  const nobody = await call(`${d.url}/dmsg-discovery/server/${generateKeyPair().pk.hex()}/clients`);
  assertEquals([nobody.status, nobody.text], [200, "null"]);
  assertEquals((await call(`${d.url}/dmsg-discovery/server/nope/clients`)).status, 400);
});

Deno.test("serverType is classed official or community after the signature check", async () => {
  const official = generateKeyPair();
  await using d = await startTestDiscovery({
    authPassphrase: "s3cret",
    officialServers: [official.pk.hex()],
  });
  const typeOf = async (keys: ReturnType<typeof generateKeyPair>, claim: string) => {
    assertEquals(
      (await post(d.url, serverEntry(keys, d.clock, { serverType: claim }))).status,
      200,
    );
    const text = (await call(`${d.url}/dmsg-discovery/entry/${keys.pk.hex()}`)).text;
    return JSON.parse(text).server.serverType;
  };
  assertEquals(await typeOf(generateKeyPair(), "s3cret"), "official");
  assertEquals(await typeOf(generateKeyPair(), "official"), "community");
  assertEquals(await typeOf(generateKeyPair(), ""), "community");
  assertEquals(await typeOf(official, ""), "official");
});

Deno.test("two concurrent updates with the same sequence: exactly one wins", async () => {
  await using d = await startTestDiscovery();
  const keys = generateKeyPair();
  await post(d.url, clientEntry(keys, d.clock));
  for (let round = 1n; round <= 10n; round++) {
    d.clock.ms += 1000;
    const a = clientEntry(keys, d.clock, { sequence: round, clientType: "a" });
    const b = clientEntry(keys, d.clock, { sequence: round, clientType: "b" });
    const results = await Promise.all([post(d.url, a), post(d.url, b)]);
    const statuses = results.map((r) => r.status).sort();
    assertEquals(statuses, [200, 422], `round ${round}`);
    const stored = (await call(`${d.url}/dmsg-discovery/entry/${keys.pk.hex()}`)).text;
    const winner = results[0].status === 200 ? a : b;
    assertEquals(stored, canonical(winner));
  }
});

Deno.test("a restart on the same KV file keeps the entries", async () => {
  await using d = await startTestDiscovery({ clientEntryTtlMs: 0 });
  const client = generateKeyPair(), server = generateKeyPair();
  d.clock.ms = Date.now();
  const c = clientEntry(client, d.clock);
  await post(d.url, c);
  await post(d.url, serverEntry(server, d.clock));
  await d.restart();
  assertEquals((await call(`${d.url}/dmsg-discovery/entry/${client.pk.hex()}`)).text, canonical(c));
  assertEquals((await call(`${d.url}/dmsg-discovery/available_servers`)).status, 200);
  d.clock.ms += 1000;
  const next = await post(d.url, clientEntry(client, d.clock, { sequence: 1n }));
  assertEquals(next.text, goMessage(200, "wrote new entry iteration"));
});

Deno.test("per-IP rate limit: 429 with a JSON error and Retry-After past the burst", async () => {
  await using d = await startTestDiscovery({ rateLimit: { ratePerSecond: 1, burst: 5 } });
  const statuses: number[] = [];
  let limited;
  for (let i = 0; i < 8; i++) {
    const res = await call(`${d.url}/health`);
    statuses.push(res.status);
    if (res.status === 429) limited = res;
  }
  assertEquals(statuses.slice(0, 5), [200, 200, 200, 200, 200]);
  assertEquals(statuses.slice(5), [429, 429, 429]);
  assertEquals(limited!.text, goMessage(429, "rate limit exceeded"));
  assertEquals(limited!.headers.get("retry-after"), "1");
  d.clock.ms += 2000; // the injected clock refills the bucket
  assertEquals((await call(`${d.url}/health`)).status, 200);
});

Deno.test("health, wrong methods and unknown paths answer as chi does", async () => {
  await using d = await startTestDiscovery();
  const health = JSON.parse((await call(`${d.url}/health`)).text);
  assertMatch(health.build_info.version, /^\d+\.\d+\.\d+/);
  assertEquals(new Date(health.started_at).getTime(), d.clock.ms);
  const wrong = await call(`${d.url}/dmsg-discovery/available_servers`, { method: "POST" });
  assertEquals([wrong.status, wrong.text], [405, ""]);
  const getPost = await call(`${d.url}/dmsg-discovery/entry`);
  assertEquals(getPost.status, 405);
  const unknown = await call(`${d.url}/nope`);
  assertEquals([unknown.status, unknown.text], [404, "404 page not found\n"]);
});

Deno.test("a server entry's own update flow (GET, seq+1, new timestamp) keeps working", async () => {
  await using d = await startTestDiscovery();
  const keys = generateKeyPair();
  await post(d.url, serverEntry(keys, d.clock, { sessions: 10 }));
  for (let i = 1n; i <= 3n; i++) {
    d.clock.ms += 60_000;
    const current = JSON.parse((await call(`${d.url}/dmsg-discovery/entry/${keys.pk.hex()}`)).text);
    assertEquals(current.sequence, Number(i - 1n));
    const next = serverEntry(keys, d.clock, {
      sequence: BigInt(current.sequence) + 1n,
      sessions: 10 - Number(i),
      serverType: current.server.serverType,
    });
    assertEquals((await post(d.url, next)).status, 200);
    assertEquals(nowNanos(d.clock.ms), next.timestamp);
  }
});
