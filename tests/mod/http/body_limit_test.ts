import { assertEquals, assertRejects } from "@std/assert";
import { Hono } from "hono";
import {
  bodyLimit,
  BodyTooLargeError,
  type BodyVariables,
  readBody,
} from "../../../mod/http/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { Prng } from "../../_util/prng.ts";
import { call, SERVERS } from "./_serve.ts";

function chunked(chunks: number, size: number): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < chunks; i++) controller.enqueue(new Uint8Array(size).fill(0x61));
      controller.close();
    },
  });
}

function app(maxBytes: number, seen: number[]) {
  const app = new Hono<{ Variables: BodyVariables }>();
  app.post("/echo", bodyLimit({ maxBytes }), (c) => {
    seen.push(c.get("body").length);
    return new Response(c.get("body") as BodyInit);
  });
  app.post(
    "/custom",
    bodyLimit({ maxBytes, onTooLarge: (c) => c.text("too big", 413) }),
    (c) => c.text(String(c.get("body").length)),
  );
  return app;
}

for (const [name, serve] of Object.entries(SERVERS)) {
  Deno.test(`bodyLimit: bodies up to the limit reach the handler byte for byte (${name})`, async () => {
    const seen: number[] = [];
    await using server = await serve(app(4096, seen));
    const rnd = new Prng(0xb0d1);
    for (const size of [0, 1, 4095, 4096]) {
      const body = rnd.bytes(size);
      const res = await fetch(`${server.url}/echo`, { method: "POST", body });
      assertEquals(res.status, 200);
      assertEquals(new Uint8Array(await res.arrayBuffer()), body);
    }
    const streamed = await call(`${server.url}/echo`, { method: "POST", body: chunked(4, 1024) });
    assertEquals([streamed.status, streamed.text.length], [200, 4096]);
    assertEquals(seen, [0, 1, 4095, 4096, 4096]);
  });
}

for (const [name, serve] of Object.entries(SERVERS)) {
  Deno.test(`bodyLimit: larger bodies, declared or chunked, get 413 and never reach the handler (${name})`, async () => {
    const seen: number[] = [];
    await using server = await serve(app(4096, seen));
    const declared = await call(`${server.url}/echo`, {
      method: "POST",
      body: new Uint8Array(4097),
    });
    assertEquals(
      [declared.status, declared.text, declared.headers.get("content-type")],
      [413, `{"message":"Request Entity Too Large","code":413}`, "application/json"],
    );
    const streamed = await call(`${server.url}/echo`, { method: "POST", body: chunked(10, 1000) });
    assertEquals(streamed.status, 413);
    const custom = await call(`${server.url}/custom`, { method: "POST", body: chunked(5, 1000) });
    assertEquals([custom.status, custom.text], [413, "too big"]);
    assertEquals(seen, []);
  });
}

Deno.test("readBody: a declared length over the limit is refused before reading", async () => {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled++;
      controller.enqueue(new Uint8Array(10));
    },
  });
  const request = new Request("http://h/", {
    method: "POST",
    body,
    headers: { "content-length": "1000000" },
  });
  await assertRejects(() => readBody(request, 100), BodyTooLargeError);
  // An endless body is cut off at the limit, not read to the end.
  const endless = new Request("http://h/", {
    method: "POST",
    body: new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(10));
      },
    }),
  });
  pulled = 0;
  await assertRejects(() => readBody(endless, 100), BodyTooLargeError);
  assertEquals(pulled <= 12, true, `pulled ${pulled} chunks`);
});

for (const [name, serve] of Object.entries(SERVERS)) {
  Deno.test(`bodyLimit: a client that disconnects mid-body is noted at debug, never a 500 (${name})`, async () => {
    const logger = captureLogger();
    const seen: string[] = [];
    const app = new Hono<{ Variables: BodyVariables }>();
    app.onError((error) => {
      logger.error("request failed", { error });
      return new Response("fault", { status: 500 });
    });
    app.use("*", async (c, next) => {
      await next();
      seen.push(`${c.req.header("x-case")} ${c.res.status}`);
    });
    app.post("/echo", bodyLimit({ maxBytes: 4096, logger }), (c) => c.text("read"));
    await using server = await serve(app);
    const port = Number(new URL(server.url).port);
    const heads = {
      declared: "Content-Length: 1000\r\n",
      chunked: "Transfer-Encoding: chunked\r\n",
    };
    for (const [name, framing] of Object.entries(heads)) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      const partial = name === "chunked" ? "100\r\n" + "a".repeat(50) : "a".repeat(100);
      await conn.write(
        new TextEncoder().encode(
          `POST /echo HTTP/1.1\r\nHost: x\r\nx-case: ${name}\r\n${framing}\r\n${partial}`,
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      conn.close();
    }
    const deadline = Date.now() + 5_000;
    while (seen.length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assertEquals(seen.sort(), ["chunked 400", "declared 400"]);
    assertEquals(logger.lines.filter((l) => l.includes("ERROR")), []);
    assertEquals(logger.lines.filter((l) => l.includes("request body incomplete")).length, 2);
  });
}
