import { assert, assertEquals } from "@std/assert";
import { Hono } from "hono";
import { requestLog } from "../../../mod/http/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { call, serve } from "./_serve.ts";

Deno.test("requestLog: one line per request, debug below 500, warn for 5xx", async () => {
  const logger = captureLogger();
  const app = new Hono();
  app.use("*", requestLog({ logger }));
  app.get("/ok", (c) => c.text("ok"));
  app.get("/fail", () => {
    throw new Error("boom");
  });
  app.onError((_error, c) => c.text("fault", 500));
  await using server = await serve(app);
  assertEquals((await call(`${server.url}/ok`)).status, 200);
  assertEquals((await call(`${server.url}/nope`)).status, 404);
  assertEquals((await call(`${server.url}/fail`)).status, 500);
  const lines = logger.lines.filter((l) => l.includes("request"));
  assertEquals(lines.length, 3, lines.join("\n"));
  assert(/DEBUG.*method=GET path=\/ok status=200 remote=127\.0\.0\.1/.test(lines[0]), lines[0]);
  assert(/DEBUG.*path=\/nope status=404/.test(lines[1]), lines[1]);
  assert(/WARN.*path=\/fail status=500/.test(lines[2]), lines[2]);
});

Deno.test("requestLog: a remote function names the caller", async () => {
  const logger = captureLogger();
  const app = new Hono();
  app.use("*", requestLog({ logger, remote: (c) => c.req.header("x-who") ?? "?" }));
  app.get("/ok", (c) => c.text("ok"));
  const res = await app.fetch(new Request("http://h/ok", { headers: { "x-who": "pk-abc" } }));
  await res.body?.cancel();
  assert(logger.lines.some((l) => l.includes("remote=pk-abc")), logger.lines.join("\n"));
});

Deno.test("requestLog: above debug, answered requests cost no line and no field", async () => {
  const logger = captureLogger("info");
  let named = 0;
  const app = new Hono();
  app.use("*", requestLog({ logger, remote: () => String(++named) }));
  app.get("/ok", (c) => c.text("ok"));
  app.get("/fail", (c) => c.text("fault", 500));
  for (const path of ["/ok", "/ok", "/fail"]) {
    const res = await app.fetch(new Request(`http://h${path}`));
    await res.body?.cancel();
  }
  assertEquals(named, 1, "the remote is named only for the line that is printed");
  assertEquals(logger.lines.length, 1, logger.lines.join("\n"));
  assert(/WARN.*path=\/fail status=500 remote=1/.test(logger.lines[0]), logger.lines[0]);
});
