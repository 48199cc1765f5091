import { assert, assertEquals } from "@std/assert";
import { createServiceApp } from "../../../mod/http/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { call, serve } from "./_serve.ts";

Deno.test("createServiceApp: a thrown handler is an empty 500 and a log line; unknown paths 404; the chain runs", async () => {
  const logger = captureLogger();
  const app = createServiceApp({
    logger,
    ipRateLimit: { ratePerSecond: 1, burst: 3 },
    now: () => 0,
  });
  app.get("/boom", () => {
    throw new Error("boom");
  });
  await using server = await serve(app);
  const boom = await call(`${server.url}/boom`);
  assertEquals([boom.status, boom.text], [500, ""]);
  assert(
    logger.lines.some((l) => /ERROR request failed .*path=\/boom/.test(l)),
    logger.lines.join("\n"),
  );
  assertEquals((await call(`${server.url}/nope`)).status, 404);
  assert(logger.lines.some((l) => l.includes("path=/nope status=404")), logger.lines.join("\n"));
  // A burst of three: the third request is still answered, the fourth refused by the per-IP limit.
  assertEquals((await call(`${server.url}/nope`)).status, 404);
  assertEquals((await call(`${server.url}/nope`)).status, 429);
});
