// The route finder over our real transport discovery (HTTP source), answering Go's JSON.
import { assert, assertEquals } from "@std/assert";
import { generateKeyPair, type KeyPair } from "../../../mod/cipher/mod.ts";
import {
  type RouteFinder,
  startRouteFinder,
  TpdTransportSource,
  transportSourceFrom,
} from "../../../services/route_finder/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { settledEntry, startTestTpd, type TestTpd } from "../transport_discovery/_harness.ts";
import { MemorySource } from "./_graph.ts";

async function post(rf: RouteFinder, body: string, path = "/routes") {
  const res = await fetch(`${rf.url}${path}`, { method: "POST", body });
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

async function register(tpd: TestTpd, a: KeyPair, b: KeyPair): Promise<string> {
  const signed = settledEntry(a, b);
  await tpd.visor(a).tpd.register(signed);
  return signed.entry.id;
}

Deno.test("route finder: Go's request and answer over our transport discovery", async () => {
  await using tpd = await startTestTpd();
  const rf = await startRouteFinder({
    source: new TpdTransportSource(tpd.url),
    logger: captureLogger(),
    ipRateLimit: false,
  });
  try {
    const [a, b, c] = [generateKeyPair(), generateKeyPair(), generateKeyPair()];
    const ab = await register(tpd, a, b);
    const bc = await register(tpd, b, c);
    const [A, B, C] = [a.pk.hex(), b.pk.hex(), c.pk.hex()];
    // What a Go 2024 visor sends for a route dial: both directions, MinHops 0, MaxHops 50.
    const res = await post(
      rf,
      JSON.stringify({ Edges: [`${A}:${C}`, `${C}:${A}`], Opts: { MinHops: 0, MaxHops: 50 } }),
    );
    assertEquals(res.status, 200, res.text);
    assertEquals(res.type, "application/json");
    const hop = (id: string, from: string, to: string) =>
      `{"TpID":"${id}","From":"${from}","To":"${to}"}`;
    const forward = `"${A}:${C}":[[${hop(ab, A, B)},${hop(bc, B, C)}]]`;
    const back = `"${C}:${A}":[[${hop(bc, C, B)},${hop(ab, B, A)}]]`;
    // Keys sorted, as Go's json.Marshal of a map writes them.
    assertEquals(res.text, A < C ? `{${forward},${back}}` : `{${back},${forward}}`);

    // visor ping: the loop route, with MaxHops 2 as Go's fetchPingRoute asks.
    const ping = await post(
      rf,
      JSON.stringify({ Edges: [`${A}:${A}`], Opts: { MinHops: 0, MaxHops: 2 } }),
    );
    assertEquals(ping.text, `{"${A}:${A}":[[${hop(ab, A, B)},${hop(ab, B, A)}]]}`);

    // Go decodes field names in any case; no pairs, no routes.
    assertEquals((await post(rf, `{"edges":[],"opts":{"maxhops":5}}`)).text, "{}");

    // In one process (as `skywire up` runs them): the same answers from the store directly.
    const local = await startRouteFinder({
      source: transportSourceFrom(tpd.service.transportsByEdge),
      logger: captureLogger(),
      ipRateLimit: false,
    });
    try {
      const body = JSON.stringify({ Edges: [`${A}:${C}`, `${C}:${A}`], Opts: { MaxHops: 50 } });
      assertEquals((await post(local, body)).text, res.text);
    } finally {
      await local.close();
    }
  } finally {
    await rf.close();
  }
});

Deno.test("route finder: Go's 404 and 400 answers", async () => {
  await using tpd = await startTestTpd();
  const rf = await startRouteFinder({
    source: new TpdTransportSource(tpd.url),
    logger: captureLogger(),
    ipRateLimit: false,
  });
  try {
    const [a, b, c] = [generateKeyPair(), generateKeyPair(), generateKeyPair()];
    const [A, B, C] = [a.pk.hex(), b.pk.hex(), c.pk.hex()];
    const notFound = await post(rf, JSON.stringify({ Edges: [`${A}:${B}`], Opts: { MaxHops: 5 } }));
    assertEquals(notFound, {
      status: 404,
      type: "application/json",
      text: `{"error":{"message":"transport not found","code":404}}`,
    });
    await register(tpd, a, b);
    assertEquals(
      (await post(rf, JSON.stringify({ Edges: [`${A}:${C}`], Opts: { MaxHops: 5 } }))).text,
      `{"error":{"message":"no route to destination","code":404}}`,
    );
    // No Opts: MaxHops 0, which no route fits (as in Go).
    assertEquals(
      (await post(rf, JSON.stringify({ Edges: [`${A}:${B}`] }))).text,
      `{"error":{"message":"no route to destination","code":404}}`,
    );
    for (
      const body of [
        "nope",
        "[]",
        `{"Edges":"x"}`,
        `{"Edges":[["${A}","${B}"]]}`,
        `{"Edges":["${A}:zz"]}`,
        `{"Edges":["${A}:${B}"],"Opts":{"MaxHops":70000}}`,
        `{"Edges":["${A}:${B}"],"Opts":[]}`,
        JSON.stringify({ Edges: Array(17).fill(`${A}:${B}`) }),
      ]
    ) {
      const res = await post(rf, body);
      assertEquals(res.status, 400, body);
      assertEquals(JSON.parse(res.text).error.code, 400);
    }
    assertEquals((await post(rf, "x".repeat(70_000))).status, 413);
    const get = await fetch(`${rf.url}/routes`);
    await get.body?.cancel();
    assertEquals(get.status, 405);
    const health = await fetch(`${rf.url}/health`);
    assertEquals(health.status, 200);
    assert((await health.json()).started_at);
  } finally {
    await rf.close();
  }
});

Deno.test("route finder: searches past the limit get 503 at once; the count comes back", async () => {
  const source = new MemorySource();
  const [a, b] = [generateKeyPair().pk.hex(), generateKeyPair().pk.hex()];
  source.link(a, b);
  let open: () => void = () => {};
  source.gate = new Promise((resolve) => open = resolve);
  const rf = await startRouteFinder({
    source,
    logger: captureLogger(),
    ipRateLimit: false,
    maxConcurrent: 2,
  });
  try {
    const body = JSON.stringify({ Edges: [`${a}:${b}`], Opts: { MaxHops: 3 } });
    const held = [post(rf, body), post(rf, body)];
    while (rf.running < 2) await new Promise((r) => setTimeout(r, 5));
    const busy = await post(rf, body);
    assertEquals(busy.status, 503);
    open();
    for (const res of await Promise.all(held)) assertEquals(res.status, 200);
    assertEquals(rf.running, 0);
  } finally {
    await rf.close();
  }
});

Deno.test("route finder: a discovery without /transports/edges (Go 2025) is read from /all-transports", async () => {
  const [a, b, c] = [generateKeyPair(), generateKeyPair(), generateKeyPair()];
  const entries = [settledEntry(a, b).entry, settledEntry(b, c).entry];
  const asked: string[] = [];
  // Go 2025's routes, as far as the route finder reads them (the real one: tests/interop).
  const goTpd = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    asked.push(`${req.method} ${path}`);
    if (req.method === "GET" && path === "/all-transports") {
      return Response.json(entries.map((e) => ({
        t_id: e.id,
        edges: e.edges.map((k) => k.hex()),
        type: e.type,
        label: e.label,
      })));
    }
    return new Response("404 page not found\n", { status: 404 });
  });
  const rf = await startRouteFinder({
    source: new TpdTransportSource(`http://127.0.0.1:${goTpd.addr.port}`),
    logger: captureLogger(),
    ipRateLimit: false,
  });
  try {
    const [A, C] = [a.pk.hex(), c.pk.hex()];
    const res = await post(rf, JSON.stringify({ Edges: [`${A}:${C}`], Opts: { MaxHops: 5 } }));
    assertEquals(res.status, 200, res.text);
    assertEquals(JSON.parse(res.text)[`${A}:${C}`][0].length, 2);
    // The by-edges route was tried once; the listing served both levels of the search.
    assertEquals(asked, ["POST /transports/edges", "GET /all-transports"]);
  } finally {
    await rf.close();
    await goTpd.shutdown();
  }
});
