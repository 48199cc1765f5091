import { assert, assertEquals, assertThrows } from "@std/assert";
import { createLogger, LogRing, teeSink } from "../../../mod/log/mod.ts";

Deno.test("LogRing keeps the newest lines up to its capacity, oldest first", () => {
  const ring = new LogRing({ capacity: 3 });
  for (let i = 1; i <= 5; i++) ring.sink(`line ${i}`, "info");
  assertEquals(ring.size, 3);
  assertEquals(ring.tail().map((e) => e.line), ["line 3", "line 4", "line 5"]);
  assertEquals(ring.tail().map((e) => e.seq), [3, 4, 5]);
  assertEquals(ring.tail({ limit: 2 }).map((e) => e.line), ["line 4", "line 5"]);
  assertEquals(ring.tail({ after: 4 }).map((e) => e.line), ["line 5"]);
});

Deno.test("LogRing.tail filters by level and limits after filtering", () => {
  const ring = new LogRing({ capacity: 10 });
  const logger = createLogger({ level: "debug", sink: ring.sink });
  logger.debug("d1");
  logger.warn("w1");
  logger.info("i1");
  logger.error("e1");
  logger.debug("d2");
  const warn = ring.tail({ minLevel: "warn" });
  assertEquals(warn.map((e) => e.level), ["warn", "error"]);
  assert(warn[0].line.includes("w1"));
  assertEquals(ring.tail({ minLevel: "info", limit: 1 }).map((e) => e.level), ["error"]);
});

Deno.test("LogRing tells listeners of new lines until they unsubscribe; a throwing one is contained", () => {
  const ring = new LogRing({ capacity: 2 });
  const seen: string[] = [];
  const stop = ring.subscribe((entry) => seen.push(entry.line));
  const stopBad = ring.subscribe(() => {
    throw new Error("listener bug");
  });
  assertEquals(ring.listeners, 2);
  ring.sink("a", "info");
  stop();
  stopBad();
  ring.sink("b", "info");
  assertEquals(seen, ["a"]);
  assertEquals(ring.listeners, 0);
});

Deno.test("LogRing refuses a capacity below 1", () => {
  assertThrows(() => new LogRing({ capacity: 0 }), RangeError);
  assertThrows(() => new LogRing({ capacity: 1.5 }), RangeError);
});

Deno.test("teeSink hands each line to every sink", () => {
  const a: string[] = [];
  const ring = new LogRing();
  const logger = createLogger({ sink: teeSink((line) => a.push(line), ring.sink) });
  logger.info("hello", { password: "hunter2" });
  assertEquals(a.length, 1);
  assertEquals(ring.tail()[0].line, a[0]);
  assert(!a[0].includes("hunter2"));
});
