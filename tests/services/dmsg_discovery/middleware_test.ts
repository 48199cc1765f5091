import { assert, assertEquals } from "@std/assert";
import { Hono } from "hono";
import { DEFAULT_RATE_LIMIT, discoveryMiddleware } from "../../../services/dmsg_discovery/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";

Deno.test("discovery middleware: refused requests are not logged as requests; defaults kept", async () => {
  assertEquals(DEFAULT_RATE_LIMIT, { ratePerSecond: 100, burst: 200 });
  const logger = captureLogger();
  const app = new Hono();
  app.use(
    "*",
    ...discoveryMiddleware({ logger, rateLimit: { ratePerSecond: 1, burst: 2 }, now: () => 0 }),
  );
  app.get("/x", (c) => c.text("ok"));
  const statuses = [];
  for (let i = 0; i < 4; i++) {
    const res = await app.fetch(new Request("http://h/x"));
    await res.body?.cancel();
    statuses.push(res.status);
  }
  assertEquals(statuses, [200, 200, 429, 429]);
  assertEquals(
    logger.lines.filter((l) => /\brequest\b/.test(l)).length,
    2,
    logger.lines.join("\n"),
  );
  assertEquals(logger.lines.filter((l) => l.includes("rate limited")).length, 2);

  const unlimited = new Hono();
  unlimited.use("*", ...discoveryMiddleware({ logger, rateLimit: false, now: () => 0 }));
  unlimited.get("/x", (c) => c.text("ok"));
  for (let i = 0; i < 300; i++) {
    const res = await unlimited.fetch(new Request("http://h/x"));
    await res.body?.cancel();
    assert(res.status === 200);
  }
});
