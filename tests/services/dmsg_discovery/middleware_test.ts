import { assert, assertEquals } from "@std/assert";
import { Hono } from "hono";
import { DEFAULT_RATE_LIMIT, discoveryMiddleware } from "../../../services/dmsg_discovery/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";

Deno.test("discovery middleware: refused requests are not logged as requests; defaults kept", async () => {
  // A fleet of visors behind one NAT must not trip the default.
  assertEquals(DEFAULT_RATE_LIMIT, { ratePerSecond: 2_000, burst: 4_000 });
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

Deno.test("discovery middleware: per-IP limit first, then the service-wide one", async () => {
  const logger = captureLogger();
  const app = new Hono();
  app.use(
    "*",
    ...discoveryMiddleware({
      logger,
      rateLimit: { ratePerSecond: 1, burst: 2 },
      globalRateLimit: { ratePerSecond: 1, burst: 3 },
      now: () => 0,
    }),
  );
  app.get("/x", (c) => c.text("ok"));
  const from = (ip: string) => ({ remoteAddr: { hostname: ip } });
  const statuses: number[] = [];
  // Peer A spends its own 2, then is refused by its own bucket without touching the global
  // one: peer B still gets the 1 the global budget has left, and then the global limit holds.
  for (const ip of ["10.0.0.1", "10.0.0.1", "10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.2"]) {
    const res = await app.fetch(new Request("http://h/x"), from(ip));
    await res.body?.cancel();
    statuses.push(res.status);
  }
  assertEquals(statuses, [200, 200, 429, 429, 200, 429]);
});
