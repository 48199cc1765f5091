import { assert, assertEquals, assertThrows } from "@std/assert";
import { Hono } from "hono";
import { rateLimit, RateLimiter } from "../../../mod/http/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { call, serve } from "./_serve.ts";

Deno.test("RateLimiter: a burst, then one token per 1/rate seconds, capped at the burst", () => {
  let now = 0;
  const limiter = new RateLimiter({ ratePerSecond: 2, burst: 3 }, () => now);
  assertEquals([1, 2, 3, 4].map(() => limiter.allow("a")), [true, true, true, false]);
  assert(limiter.allow("b"), "another key has its own bucket");
  now += 499;
  assert(!limiter.allow("a"));
  now += 1;
  assert(limiter.allow("a"));
  assert(!limiter.allow("a"));
  now += 60_000; // a long idle refills to the burst, not beyond
  assertEquals([1, 2, 3, 4].map(() => limiter.allow("a")), [true, true, true, false]);
});

Deno.test("RateLimiter: the key map stays within maxKeys, least recently seen forgotten", () => {
  const limiter = new RateLimiter({ ratePerSecond: 1, burst: 1, maxKeys: 3 }, () => 0);
  for (const key of ["a", "b", "c"]) assert(limiter.allow(key));
  assert(!limiter.allow("a")); // "a" is now the most recent
  assert(limiter.allow("d")); // evicts "b"
  assertEquals(limiter.size, 3);
  assert(limiter.allow("b"), "a forgotten key starts with a full bucket");
  assert(!limiter.allow("a"), "a recently seen key was kept");
  for (let i = 0; i < 10_000; i++) limiter.allow(`k${i}`);
  assertEquals(limiter.size, 3);
});

Deno.test("RateLimiter: settings that cannot work are refused", () => {
  for (
    const bad of [
      { ratePerSecond: 0, burst: 1 },
      { ratePerSecond: 1, burst: 0 },
      { ratePerSecond: NaN, burst: 1 },
      { ratePerSecond: 1, burst: 1, maxKeys: 0 },
    ]
  ) assertThrows(() => new RateLimiter(bad), RangeError);
});

Deno.test("rateLimit: per remote IP by default, 429 with Go's JSON body and Retry-After", async () => {
  let now = 0;
  const logger = captureLogger();
  const app = new Hono();
  app.use("*", rateLimit({ limiter: { ratePerSecond: 1, burst: 2 }, now: () => now, logger }));
  app.get("/x", (c) => c.text("ok"));
  await using server = await serve(app);
  const results = [];
  for (let i = 0; i < 4; i++) results.push(await call(`${server.url}/x`));
  assertEquals(results.map((r) => r.status), [200, 200, 429, 429]);
  assertEquals(results[0].text, "ok");
  assertEquals(results[2].text, `{"message":"rate limit exceeded","code":429}`);
  assertEquals(results[2].headers.get("content-type"), "application/json");
  assertEquals(results[2].headers.get("retry-after"), "1");
  assert(logger.lines.some((l) => l.includes("rate limited") && l.includes("key=127.0.0.1")));
  now += 1000;
  assertEquals((await call(`${server.url}/x`)).status, 200);
});

Deno.test("rateLimit: a key function limits per public key; onLimited shapes the answer", async () => {
  const limiter = new RateLimiter({ ratePerSecond: 1, burst: 1 }, () => 0);
  const app = new Hono();
  app.use(
    "*",
    rateLimit({
      limiter,
      key: (c) => c.req.header("sw-public") ?? "",
      onLimited: (c, key) => c.json({ error: `slow down ${key}` }, 429),
    }),
  );
  app.get("/x", (c) => c.text("ok"));
  await using server = await serve(app);
  const as = (pk: string) => call(`${server.url}/x`, { headers: { "sw-public": pk } });
  assertEquals((await as("pk1")).status, 200);
  assertEquals((await as("pk2")).status, 200);
  const limited = await as("pk1");
  assertEquals([limited.status, limited.text], [429, `{"error":"slow down pk1"}`]);
  assertEquals(limiter.size, 2);
});

Deno.test("rateLimit: without Deno.serve's info (app.fetch) every request shares one key", async () => {
  const app = new Hono();
  app.use("*", rateLimit({ limiter: { ratePerSecond: 1, burst: 1 }, now: () => 0 }));
  app.get("/x", (c) => c.text("ok"));
  assertEquals((await app.fetch(new Request("http://h/x"))).status, 200);
  const res = await app.fetch(new Request("http://h/x"));
  assertEquals(res.status, 429);
  await res.body?.cancel();
});
