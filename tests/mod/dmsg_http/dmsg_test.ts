/**
 * dmsg HTTP over real dmsg streams: a discovery, a dmsg server and two clients in this
 * process, all on 127.0.0.1 TCP. Client B serves HTTP on dmsg port 80; client A fetches.
 */
import { assert, assertEquals, assertInstanceOf, assertRejects } from "@std/assert";
import { generateKeyPair } from "../../../mod/cipher/mod.ts";
import { DmsgError } from "../../../mod/dmsg/mod.ts";
import type { DmsgClient, DmsgStream } from "../../../mod/dmsg/mod.ts";
import {
  dmsgFetch,
  DmsgUrlError,
  healthApp,
  HttpClientConnection,
  type HttpHandler,
  serveHttp,
} from "../../../mod/dmsg_http/mod.ts";
import { loopbackNetwork, waitFor } from "./_network.ts";
import { RawResponseReader, send, sha256Hex } from "./_util.ts";
import { seededBytes } from "../../_util/prng.ts";

async function withPair(
  handler: HttpHandler<DmsgStream>,
  fn: (a: DmsgClient, b: DmsgClient) => Promise<void>,
): Promise<void> {
  await using net = await loopbackNetwork();
  await net.server();
  const a = await net.client();
  const b = await net.client();
  const server = serveHttp(b.listen(80), handler);
  try {
    await fn(a, b);
  } finally {
    await server.shutdown();
  }
  // Every stream of the exchange is released on both sides.
  await waitFor("streams released", () => a.stats().streams === 0 && b.stats().streams === 0);
}

const url = (client: DmsgClient, path: string, port = 80) =>
  `dmsg://${client.pk.hex()}:${port}${path}`;

Deno.test("dmsgFetch gets a visor's /health JSON over a dmsg stream", async () => {
  let app: ReturnType<typeof healthApp> | undefined;
  await withPair((request) => app!.fetch(request), async (a, b) => {
    app = healthApp({
      role: "visor",
      pk: b.pk.hex(),
      sessions: () => ({
        count: b.sessions().length,
        server_pks: b.sessions().map((s) => s.serverPk.hex()),
      }),
    });
    const response = await dmsgFetch(a, url(b, "/health"));
    assertEquals(response.status, 200);
    assertEquals(response.headers.get("content-type"), "application/json");
    const health = await response.json();
    assertEquals(health.role, "visor");
    assertEquals(health.pk, b.pk.hex());
    assertEquals(health.dmsg_address, `${b.pk.hex()}:80`);
    assertEquals(health.build_info.deno, Deno.version.deno);
    assertEquals(health.sessions.count, 1);
    assertEquals(health.sessions.server_pks, [b.sessions()[0].serverPk.hex()]);
    const missing = await dmsgFetch(a, url(b, "/nope"));
    assertEquals(missing.status, 404);
    await missing.body?.cancel();
  });
});

Deno.test("the handler sees the dialer's dmsg address; Host is PK:PORT as Go sends it", async () => {
  await withPair((request, info) =>
    Response.json({
      remote: info.stream.remoteAddr.pk.hex(),
      host: request.headers.get("host"),
      url: request.url,
    }), async (a, b) => {
    const seen = await (await dmsgFetch(a, url(b, "/who?x=1"))).json();
    assertEquals(seen.remote, a.pk.hex());
    assertEquals(seen.host, `${b.pk.hex()}:80`);
    assertEquals(new URL(seen.url).pathname + new URL(seen.url).search, "/who?x=1");
  });
});

Deno.test("two requests share one dmsg stream when kept alive", async () => {
  const remotes = new Set<DmsgStream>();
  await withPair((request, info) => {
    remotes.add(info.stream);
    return new Response(new URL(request.url).pathname);
  }, async (a, b) => {
    const stream = await a.dialStream({ pk: b.pk, port: 80 });
    const connection = new HttpClientConnection(stream);
    const host = `${b.pk.hex()}:80`;
    assertEquals(
      await (await connection.request(new Request("http://h/1"), { host })).text(),
      "/1",
    );
    assert(connection.reusable);
    assertEquals(
      await (await connection.request(new Request("http://h/2"), { host })).text(),
      "/2",
    );
    assertEquals(remotes.size, 1);
    connection.close();
  });
});

Deno.test("16 MB up (chunked) and 16 MB down (chunked) through the relay, checksums intact", async () => {
  const data = seededBytes(16 * 1024 * 1024, 11);
  const digest = await sha256Hex(data);
  await withPair(async (request) => {
    const got = new Uint8Array(await request.arrayBuffer());
    const reply = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < got.length; i += 256 * 1024) {
          controller.enqueue(got.subarray(i, i + 256 * 1024));
        }
        controller.close();
      },
    });
    return new Response(reply, { headers: { "x-sha256": await sha256Hex(got) } });
  }, async (a, b) => {
    const body = new Blob([data]).stream();
    const response = await dmsgFetch(a, url(b, "/echo"), {
      method: "POST",
      body,
      duplex: "half",
    } as RequestInit);
    assertEquals(response.headers.get("x-sha256"), digest);
    assertEquals(response.headers.get("transfer-encoding"), "chunked");
    const back = new Uint8Array(await response.arrayBuffer());
    assertEquals(back.length, data.length);
    assertEquals(await sha256Hex(back), digest);
  });
});

Deno.test("a malformed request on a dmsg stream gets 400 and the stream is closed", async () => {
  let handled = 0;
  await withPair(() => {
    handled++;
    return new Response("no");
  }, async (a, b) => {
    const stream = await a.dialStream({ pk: b.pk, port: 80 });
    await send(stream, "GET /x HTTP/1.1\r\nHost: h\r\nBroken header\r\n\r\n");
    const responses = new RawResponseReader(stream);
    assertEquals((await responses.next())?.status, 400);
    assert(await responses.ended());
    stream.close();
  });
  assertEquals(handled, 0);
});

Deno.test("dmsgFetch rejects bad URLs, unknown keys and aborted requests with typed errors", async () => {
  await withPair(() => new Promise<Response>(() => {}), async (a, b) => {
    await assertRejects(() => dmsgFetch(a, "http://example.com/"), DmsgUrlError);
    await assertRejects(() => dmsgFetch(a, "dmsg://nothex:80/"), DmsgUrlError);
    await assertRejects(() => dmsgFetch(a, `dmsg://${b.pk.hex()}:70000/`), DmsgUrlError);
    const stranger = generateKeyPair().pk.hex();
    const error = await dmsgFetch(a, `dmsg://${stranger}:80/`).catch((e) => e);
    assertInstanceOf(error, DmsgError);
    const noListener = await dmsgFetch(a, url(b, "/", 81)).catch((e) => e);
    assertInstanceOf(noListener, DmsgError);
    const controller = new AbortController();
    const hanging = dmsgFetch(a, url(b, "/hang"), { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("gave up")), 50);
    assertEquals((await hanging.catch((e) => e)).message, "gave up");
  });
});

Deno.test("50 fetches in a row leave no streams or connections behind", async () => {
  await withPair(() => new Response("x".repeat(1000)), async (a, b) => {
    for (let i = 0; i < 50; i++) {
      const response = await dmsgFetch(a, url(b, `/${i}`));
      assertEquals((await response.text()).length, 1000);
    }
    // A body never read, then cancelled, releases its stream too.
    const unread = await dmsgFetch(a, url(b, "/unread"));
    await unread.body?.cancel();
  });
});
