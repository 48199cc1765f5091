import { assert, assertEquals } from "@std/assert";
import { Hono } from "hono";
import { serviceChain } from "../../../mod/http/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { call, serve } from "./_serve.ts";

function app(ipRateLimit: { ratePerSecond: number; burst: number } | false) {
  const logger = captureLogger();
  const hono = new Hono();
  hono.use("*", ...serviceChain({ logger, ipRateLimit, now: () => 1_000 }));
  hono.get("/ok", (c) => c.text("ok"));
  return { hono, logger };
}

Deno.test("serviceChain: past the per-IP burst a 429 logged by the limit, answered ones by the log", async () => {
  const { hono, logger } = app({ ratePerSecond: 1, burst: 2 });
  await using server = await serve(hono);
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await call(`${server.url}/ok`)).status);
  assertEquals(statuses, [200, 200, 429]);
  const answered = logger.lines.filter((l) => l.includes("request method=GET path=/ok"));
  assertEquals(answered.length, 2, logger.lines.join("\n"));
  const limited = logger.lines.filter((l) => l.includes("rate limited key=127.0.0.1"));
  assertEquals(limited.length, 1, logger.lines.join("\n"));
});

Deno.test("serviceChain: ipRateLimit false leaves only the request log", async () => {
  const { hono, logger } = app(false);
  await using server = await serve(hono);
  for (let i = 0; i < 5; i++) assertEquals((await call(`${server.url}/ok`)).status, 200);
  const lines = logger.lines.filter((l) => l.includes("path=/ok status=200"));
  assertEquals(lines.length, 5, logger.lines.join("\n"));
  assert(lines.every((l) => l.includes("remote=127.0.0.1")), lines.join("\n"));
});
