import { assertEquals, assertRejects } from "@std/assert";
import { Hono } from "hono";
import { generateKeyPair } from "../../../mod/cipher/mod.ts";
import { HttpAuthRequestError, nextNonceJson } from "../../../mod/httpauth/mod.ts";
import {
  decodeEntryList,
  encodeEntry,
  MalformedFrameError,
  newSignedEntry,
  TransportDiscoveryClient,
  TransportEntryError,
} from "../../../mod/transport/mod.ts";
import { Prng } from "../../_util/prng.ts";
import { settledEntry, startTestTpd } from "../../services/transport_discovery/_harness.ts";

Deno.test("tpd client ↔ discovery: register, get by id and edge, deregister (twice is fine)", async () => {
  await using tpd = await startTestTpd();
  const a = tpd.visor(), b = tpd.visor();
  const signed = settledEntry(a, b, "stcpr");
  await b.tpd.register(signed);
  assertEquals(await a.tpd.getById(signed.entry.id), signed.entry);
  assertEquals(await a.tpd.getByEdge(b.pk), [signed.entry]);
  await a.tpd.deregister(signed.entry.id);
  await a.tpd.deregister(signed.entry.id);
  assertEquals(await a.tpd.getById(signed.entry.id), undefined);
  assertEquals(await b.tpd.getByEdge(b.pk), []);
});

Deno.test("tpd client: a refused registration throws with the discovery's reason", async () => {
  await using tpd = await startTestTpd();
  const a = tpd.visor(), b = tpd.visor();
  const half = newSignedEntry(settledEntry(a, b).entry, a);
  const error = await assertRejects(() => a.tpd.register(half), HttpAuthRequestError);
  assertEquals(error.status, 400);
  assertEquals(error.serverMessage?.endsWith("is missing"), true);
});

Deno.test("tpd client: deregisterMany uses the batch route, or one by one without it", async () => {
  await using tpd = await startTestTpd();
  const a = tpd.visor();
  const peers = [tpd.visor(), tpd.visor(), tpd.visor()];
  const entries = peers.map((p) => settledEntry(a, p));
  await a.tpd.registerMany(entries);
  assertEquals(await a.tpd.deregisterMany([entries[0].entry.id, entries[1].entry.id]), 2);
  assertEquals((await a.tpd.getByEdge(a.pk)).map((e) => e.id), [entries[2].entry.id]);

  // A Go discovery from before 2025: no batch route (chi's 404), single deletes only.
  const deleted: string[] = [];
  const app = new Hono();
  app.get("/security/nonces/:pk", () => new Response(nextNonceJson(a.pk, 0n)));
  app.delete("/transports/:selector", (c) => {
    deleted.push(c.req.param("selector"));
    return new Response("transport deleted");
  });
  const { promise, resolve } = Promise.withResolvers<void>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => resolve() },
    app.fetch,
  );
  await promise;
  try {
    const old = new TransportDiscoveryClient({
      url: `http://127.0.0.1:${server.addr.port}`,
      keys: a,
    });
    assertEquals(await old.deregisterMany(["x", "y"]), 2);
    assertEquals(deleted, ["id:x", "id:y"]);
  } finally {
    await server.shutdown();
  }
});

Deno.test("decodeEntryList reads Go's []Entry; fuzz: entries or a typed error", () => {
  const enc = new TextEncoder();
  const a = generateKeyPair(), b = generateKeyPair();
  const entry = settledEntry(a, b).entry;
  assertEquals(decodeEntryList(enc.encode("null\n")), []);
  assertEquals(decodeEntryList(enc.encode(`[${encodeEntry(entry)}]\n`)), [entry]);
  const seed = enc.encode(`[${encodeEntry(entry)},${encodeEntry(entry)}]\n`);
  const prng = new Prng(0x5eed_7d04);
  let accepted = 0;
  for (let round = 0; round < 3_000; round++) {
    const bytes = Array.from(seed);
    if (round % 4 === 0) bytes.splice(0, bytes.length, ...prng.bytes(prng.int(120)));
    for (let i = 0, n = prng.int(3); i < n; i++) {
      const at = prng.int(bytes.length);
      if (prng.int(2) === 0) bytes.splice(at, 1);
      else bytes[at] = prng.pick([0x22, 0x5b, 0x5d, 0x7b, 0x7d, 0x2c, 0x30, 0x61]);
    }
    try {
      decodeEntryList(Uint8Array.from(bytes));
      accepted++;
    } catch (error) {
      if (!(error instanceof MalformedFrameError) && !(error instanceof TransportEntryError)) {
        throw error;
      }
    }
  }
  assertEquals(accepted > 100, true, `accepted ${accepted}`);
});
