import { assertEquals, assertRejects } from "@std/assert";
import { deadline, debounce, delay, retry, RetryError } from "@std/async";

Deno.test("delay rejects with the signal's reason when aborted", async () => {
  const controller = new AbortController();
  const p = delay(10_000, { signal: controller.signal });
  controller.abort(new Error("stop"));
  await assertRejects(() => p, Error, "stop");
});

Deno.test("deadline rejects with TimeoutError and clears its timer", async () => {
  const never = new Promise<void>(() => {});
  const error = await assertRejects(() => deadline(never, 5), DOMException);
  assertEquals(error.name, "TimeoutError");
  assertEquals(await deadline(Promise.resolve(7), 1000), 7);
});

Deno.test("debounce runs once with the last arguments; flush and clear work", async () => {
  const calls: number[] = [];
  const fn = debounce((n: number) => calls.push(n), 20);
  fn(1);
  fn(2);
  fn(3);
  assertEquals(fn.pending, true);
  await delay(50);
  assertEquals(calls, [3]);
  fn(4);
  fn.flush();
  assertEquals(calls, [3, 4]);
  fn(5);
  fn.clear();
  await delay(30);
  assertEquals(calls, [3, 4]);
});

Deno.test("retry retries until success and gives up with RetryError", async () => {
  let n = 0;
  assertEquals(
    await retry(() => ++n < 3 ? Promise.reject(new Error("no")) : n, {
      minTimeout: 1,
      maxTimeout: 2,
    }),
    3,
  );
  await assertRejects(
    () =>
      retry(() => Promise.reject(new Error("never")), {
        minTimeout: 1,
        maxTimeout: 2,
        maxAttempts: 3,
      }),
    RetryError,
  );
});
