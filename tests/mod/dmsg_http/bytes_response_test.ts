/**
 * Responses made by `bytesResponse` go out from their bytes (one write, Content-Length), and
 * every case where the bytes may no longer be the body falls back to the body's stream.
 */
import { assertEquals, assertRejects } from "@std/assert";
import { bytesOf, bytesResponse, HttpParseError, serveHttp } from "../../../mod/dmsg_http/mod.ts";
import { connect, RawResponseReader, send, tcpListener } from "./_util.ts";
import { seededBytes } from "../../_util/prng.ts";

Deno.test("bytesOf: the bytes while the body is unread; nothing for other responses", async () => {
  const body = new TextEncoder().encode("hello");
  const made = bytesResponse(body, { status: 201 });
  assertEquals(made.status, 201);
  assertEquals(bytesOf(made), body);
  assertEquals(bytesOf(new Response(body)), undefined);
  await made.text();
  assertEquals(bytesOf(made), undefined);
});

Deno.test("bytes responses are served whole, keep-alive, with Content-Length; streams still work", async () => {
  const big = seededBytes(200 * 1024, 7);
  const { port, listener } = tcpListener();
  const server = serveHttp(listener, async (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/small") return bytesResponse(new TextEncoder().encode("small"));
    if (path === "/big") return bytesResponse(big, { headers: { "content-type": "x/y" } });
    if (path === "/read") {
      // A middleware that read the body and made a new response from it: the stream way.
      const original = bytesResponse(new TextEncoder().encode("read"));
      return new Response(await original.text());
    }
    if (path === "/mismatch") {
      // A declared length that disagrees with the bytes: the stream way, as before.
      return bytesResponse(new TextEncoder().encode("abc"), {
        headers: { "content-length": "5" },
      });
    }
    return new Response("stream");
  });
  try {
    using conn = await connect(port);
    const responses = new RawResponseReader(conn);
    for (const path of ["/small", "/big", "/read", "/small"]) {
      await send(conn, `GET ${path} HTTP/1.1\r\nHost: h\r\n\r\n`);
      const res = await responses.next();
      assertEquals(res?.status, 200, path);
      if (path === "/big") {
        assertEquals(res?.body, big);
        assertEquals(res?.headers.get("content-length"), String(big.length));
        assertEquals(res?.headers.get("content-type"), "x/y");
      } else {
        assertEquals(res?.text, path.slice(1));
        assertEquals(res?.headers.get("content-length"), String(path.length - 1));
      }
      assertEquals(res?.headers.get("connection"), null);
    }
    // HEAD: no body, whatever the response holds.
    await send(conn, "HEAD /small HTTP/1.1\r\nHost: h\r\n\r\n");
    const head = await responses.next("HEAD");
    assertEquals(head?.body.length, 0);
    await send(conn, "GET /mismatch HTTP/1.1\r\nHost: h\r\n\r\n");
    // Three bytes of five: the stream way sends what there is and closes, as before.
    await assertRejects(() => responses.next(), HttpParseError, "before the end of the body");
  } finally {
    await server.shutdown();
  }
});
