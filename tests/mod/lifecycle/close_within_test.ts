import { assert, assertEquals } from "@std/assert";
import { aborted, closeWithin } from "../../../mod/lifecycle/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";

Deno.test("closeWithin: true when the close finishes in time", async () => {
  const logger = captureLogger();
  const lines = () => logger.lines;
  let closed = false;
  const ok = await closeWithin(async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    closed = true;
  }, { budgetMs: 1_000, logger });
  assertEquals([ok, closed], [true, true]);
  assertEquals(lines(), []);
});

Deno.test("closeWithin: false and one log line when the close overruns its budget", async () => {
  const logger = captureLogger();
  const lines = () => logger.lines;
  const never = new Promise<void>(() => {});
  const started = performance.now();
  const ok = await closeWithin(never, { budgetMs: 30, logger, what: "stuck thing" });
  assertEquals(ok, false);
  assert(performance.now() - started < 1_000, "waited no longer than the budget");
  assertEquals(lines().length, 1);
  assert(lines()[0].includes("stuck thing did not finish within 30 ms"), lines()[0]);
});

Deno.test("closeWithin: a failing close (thrown or rejected) is false, logged, never thrown", async () => {
  const logger = captureLogger();
  const lines = () => logger.lines;
  assertEquals(await closeWithin(() => Promise.reject(new Error("boom")), { logger }), false);
  assertEquals(
    await closeWithin(() => {
      throw new Error("sync boom");
    }, { logger }),
    false,
  );
  assertEquals(lines().length, 2);
  assert(lines().every((line) => line.includes("shutdown failed")), lines().join("\n"));
});

Deno.test("aborted resolves on abort, and at once for a signal already aborted", async () => {
  const controller = new AbortController();
  let done = false;
  const waiting = aborted(controller.signal).then(() => done = true);
  await Promise.resolve();
  assertEquals(done, false);
  controller.abort();
  await waiting;
  assertEquals(done, true);
  await aborted(AbortSignal.abort());
});
