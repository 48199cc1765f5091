import { assert, assertEquals, assertInstanceOf, assertRejects } from "@std/assert";
import {
  DiscoveryClient,
  DiscoveryError,
  DiscoveryRequestError,
  type Entry,
  marshalEntry,
  newClientEntry,
  newServerEntry,
  nowNanos,
  signEntry,
  verifyEntrySignature,
} from "../../../../mod/dmsg/mod.ts";
import {
  clientEntry,
  generateKeyPair,
  serverEntry,
  startTestDiscovery,
} from "../../../services/dmsg_discovery/_harness.ts";
import { freePort } from "../../../_util/ports.ts";
import { silentListener } from "../../../_util/silent_listener.ts";

const dec = new TextDecoder();
const canonical = (entry: Entry) => dec.decode(marshalEntry(entry));

Deno.test("DiscoveryClient talks to our discovery service: every endpoint", async () => {
  await using d = await startTestDiscovery();
  const client = new DiscoveryClient({ url: d.url + "/", now: () => d.clock.ms });
  const visor = generateKeyPair(), server = generateKeyPair();

  assertEquals((await client.health()).startedAt, new Date(d.clock.ms).toISOString());
  const none = await assertRejects(() => client.availableServers(), DiscoveryError);
  assertEquals([none.status, none.code, none.kind], [404, 404, "noAvailableServers"]);

  const s = serverEntry(server, d.clock, { sessions: 5 });
  await client.postEntry(s);
  const v = clientEntry(visor, d.clock, { delegated: [server], clientType: "visor" });
  await client.postEntry(v);

  assertEquals(canonical(await client.getEntry(visor.pk)), canonical(v));
  const servers = await client.availableServers();
  assertEquals(servers.map((e) => e.static.hex()), [server.pk.hex()]);
  assertEquals(servers[0].server?.serverType, "official");
  assertEquals((await client.allServers()).length, 1);
  assertEquals((await client.entries()).map((k) => k.hex()), [visor.pk.hex()]);
  const batch = await client.entriesBatch([visor.pk, generateKeyPair().pk, server.pk]);
  assertEquals([...batch.keys()].sort(), [visor.pk.hex(), server.pk.hex()].sort());
  assertEquals((await client.serverClients(server.pk)).map((k) => k.hex()), [visor.pk.hex()]);
  assertEquals(await client.serverClients(visor.pk), []);
  const grouped = await client.allServerClients();
  assertEquals(grouped.get(server.pk.hex())?.map((k) => k.hex()), [visor.pk.hex()]);

  d.clock.ms += 1000;
  const put = await client.putEntry({ ...v, clientType: "visor2" }, visor.sk);
  assert(put.applied);
  assertEquals(put.entry.sequence, 1n);
  assertEquals(put.entry.timestamp, nowNanos(d.clock.ms));
  verifyEntrySignature(put.entry);
  assertEquals(canonical(await client.getEntry(visor.pk)), canonical(put.entry));

  // The served entry does not delete (anyone can replay it); a fresh iteration does.
  await assertRejects(() => client.deleteEntry(put.entry), DiscoveryError);
  d.clock.ms += 1000;
  await client.deleteEntry(
    signEntry({ ...put.entry, sequence: 2n, timestamp: nowNanos(d.clock.ms) }, visor.sk),
  );
  const gone = await assertRejects(() => client.getEntry(visor.pk), DiscoveryError);
  assertEquals([gone.status, gone.kind, gone.message], [
    404,
    "keyNotFound",
    "entry of public key is not found",
  ]);
});

Deno.test("putEntry retries a sequence conflict from the remote sequence, or drops if older", async () => {
  await using d = await startTestDiscovery();
  const keys = generateKeyPair();
  const local = new DiscoveryClient({ url: d.url, now: () => d.clock.ms });
  const first = clientEntry(keys, d.clock);
  await local.postEntry(first);
  // Another instance of the same key moves the remote entry on to sequence 2.
  for (const seq of [1n, 2n]) {
    d.clock.ms += 10;
    await local.postEntry(clientEntry(keys, d.clock, { sequence: seq }));
  }
  d.clock.ms += 1000;
  const retried = await local.putEntry({ ...first, clientType: "mine" }, keys.sk);
  assertEquals([retried.applied, retried.entry.sequence], [true, 3n]);
  assertEquals((await local.getEntry(keys.pk)).clientType, "mine");

  // Our clock is behind the remote entry: Go drops our update and adopts the remote sequence.
  const lagging = new DiscoveryClient({ url: d.url, now: () => d.clock.ms - 60_000 });
  const dropped = await lagging.putEntry({ ...first, clientType: "stale" }, keys.sk);
  assertEquals(dropped.applied, false);
  assertEquals(dropped.entry.sequence, 3n);
  assertEquals((await local.getEntry(keys.pk)).clientType, "mine");
});

Deno.test("putEntry gives up after 5 conflict retries with Go's backoff", async () => {
  // A stand-in that always answers the sequence conflict (the real service cannot be made to).
  const keys = generateKeyPair();
  const remote = signEntry(newClientEntry({ pk: keys.pk, timestamp: 0n }), keys.sk);
  let posts = 0, gets = 0;
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      await req.body?.cancel();
      if (req.method === "GET") {
        gets++;
        return new Response(marshalEntry(remote) as BodyInit);
      }
      posts++;
      return Response.json({
        message:
          "entry validation error: sequence field of new entry is not sequence of old entry + 1",
        code: 422,
      }, { status: 422 });
    },
  );
  const client = new DiscoveryClient({ url: `http://127.0.0.1:${server.addr.port}` });
  const error = await assertRejects(() => client.putEntry(remote, keys.sk), DiscoveryError);
  assertEquals([error.status, error.kind], [422, "wrongSequence"]);
  assertEquals([posts, gets], [6, 5]);
});

Deno.test("DiscoveryClient errors are typed: timeout, abort, refused, oversize, junk", async () => {
  {
    // A listener that accepts and never answers.
    await using silent = silentListener();
    const slow = new DiscoveryClient({
      url: `http://127.0.0.1:${silent.port}`,
      timeoutMs: 200,
    });
    const timeout = await assertRejects(() => slow.health(), DiscoveryRequestError);
    assertEquals(
      timeout.message,
      `GET /health: timed out after 200 ms at http://127.0.0.1:${silent.port}`,
    );
    const controller = new AbortController();
    const pending = slow.availableServers({ signal: controller.signal });
    controller.abort(new Error("stop"));
    await assertRejects(() => pending, Error, "stop");
  }

  const closedPort = freePort();
  const refused = new DiscoveryClient({ url: `http://127.0.0.1:${closedPort}` });
  const down = await refused.health().catch((e) => e);
  assertInstanceOf(down, DiscoveryRequestError);
  // Says what happened and where, not the runtime's "fetch failed".
  assertEquals(down.message, `GET /health: connection refused at http://127.0.0.1:${closedPort}`);

  await using d = await startTestDiscovery();
  const small = new DiscoveryClient({ url: d.url, maxResponseBytes: 10 });
  const big = await assertRejects(() => small.health(), DiscoveryRequestError);
  assert(big.message.includes("larger than 10"), big.message);

  await using junk = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("<html>bad gateway</html>", { status: 502 }),
  );
  const viaProxy = new DiscoveryClient({ url: `http://127.0.0.1:${junk.addr.port}` });
  const proxied = await assertRejects(
    () => viaProxy.getEntry(generateKeyPair().pk),
    DiscoveryError,
  );
  assertEquals([proxied.status, proxied.kind], [502, "unexpected"]);
  await using okJunk = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("{not json"),
  );
  const malformed = new DiscoveryClient({ url: `http://127.0.0.1:${okJunk.addr.port}` });
  await assertRejects(() => malformed.availableServers(), DiscoveryRequestError, "malformed");
});

Deno.test("a server entry made with newServerEntry registers through the client", async () => {
  await using d = await startTestDiscovery();
  const keys = generateKeyPair();
  const client = new DiscoveryClient({ url: d.url, now: () => d.clock.ms });
  const entry = signEntry(
    newServerEntry({
      pk: keys.pk,
      address: "198.51.100.4:8080",
      availableSessions: 2048n,
      timestamp: nowNanos(d.clock.ms),
      protocol: "yamux",
    }),
    keys.sk,
  );
  await client.postEntry(entry);
  const got = await client.getEntry(keys.pk);
  assertEquals([got.protocol, got.server?.availableSessions], ["yamux", 2048n]);
  const bad = await assertRejects(
    () => client.postEntry({ ...entry, sequence: 5n }),
    DiscoveryError,
  );
  assertEquals([bad.status, bad.kind], [401, "unauthorized"]);
});
