import { assertEquals, assertRejects } from "@std/assert";
import { Hono } from "hono";
import {
  bodyLimit,
  BodyTooLargeError,
  type BodyVariables,
  readBody,
} from "../../../mod/http/mod.ts";
import { Prng } from "../../_util/prng.ts";
import { call, serve } from "./_serve.ts";

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

Deno.test("bodyLimit: bodies up to the limit reach the handler byte for byte", async () => {
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

Deno.test("bodyLimit: larger bodies, declared or chunked, get 413 and never reach the handler", async () => {
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
