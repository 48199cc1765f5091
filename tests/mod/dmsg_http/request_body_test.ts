/**
 * `readRequestBody`: a body the server made a `Request` for is read straight from the
 * connection, whole and exact, keep-alive goes on after it, and a body whose stream someone
 * took is left to the stream.
 */
import { assertEquals } from "@std/assert";
import { type HttpHandler, readRequestBody } from "../../../mod/dmsg_http/mod.ts";
import { connect, RawResponseReader, send, withServer } from "./_util.ts";
import { seededBytes } from "../../_util/prng.ts";

class TooLarge extends Error {}

/** Answers with what the direct read gave: the body's length and first byte, or why not. */
const direct: HttpHandler = async (request) => {
  const limit = Number(request.headers.get("x-limit") ?? 1 << 20);
  if (request.headers.has("x-take-stream")) request.body!.getReader();
  const reading = readRequestBody(request, limit, () => new TooLarge());
  if (!reading) return new Response("stream");
  try {
    const bytes = await reading;
    return new Response(`${bytes.length}:${bytes[0] ?? "-"}:${bytes.at(-1) ?? "-"}`);
  } catch (error) {
    return new Response(error instanceof TooLarge ? "too large" : "failed", { status: 413 });
  }
};

Deno.test("readRequestBody reads declared and chunked bodies whole, then keep-alive goes on", async () => {
  await withServer(direct, async (port) => {
    const conn = await connect(port);
    const responses = new RawResponseReader(conn);
    const big = seededBytes(100_000, 0xb0d7);
    const head = (framing: string) => `POST /e HTTP/1.1\r\nHost: x\r\n${framing}\r\n`;
    await send(conn, head(`Content-Length: ${big.length}\r\n`));
    await send(conn, big);
    assertEquals((await responses.next())!.text, `100000:${big[0]}:${big.at(-1)}`);
    await send(
      conn,
      head("Transfer-Encoding: chunked\r\n") + "3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n",
    );
    assertEquals((await responses.next())!.text, "5:97:101");
    await send(conn, head("Content-Length: 4\r\nX-Take-Stream: 1\r\n") + "wxyz");
    assertEquals((await responses.next())!.text, "stream");
    // The connection is still in step after a body left to the stream.
    await send(conn, head("Content-Length: 1\r\n") + "q");
    assertEquals((await responses.next())!.text, "1:113:113");
    conn.close();
  });
});

Deno.test("readRequestBody: past the limit the body is given up and the connection closed", async () => {
  await withServer(direct, async (port) => {
    for (const framing of ["Content-Length: 10\r\n", "Transfer-Encoding: chunked\r\n"]) {
      const conn = await connect(port);
      const responses = new RawResponseReader(conn);
      const body = framing.startsWith("Content") ? "0123456789" : "a\r\n0123456789\r\n0\r\n\r\n";
      await send(conn, `POST /e HTTP/1.1\r\nHost: x\r\nX-Limit: 5\r\n${framing}\r\n${body}`);
      const res = (await responses.next())!;
      assertEquals([res.status, res.text], [413, "too large"]);
      // The rest of the body was not read: the connection cannot carry another request.
      assertEquals(await responses.next(), null);
      conn.close();
    }
  });
});

Deno.test("readRequestBody leaves requests the server did not make to their stream", () => {
  const request = new Request("http://x/", { method: "POST", body: "abc" });
  assertEquals(readRequestBody(request, 10, () => new TooLarge()), undefined);
});
