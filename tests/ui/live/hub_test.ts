/** The live hub: bounded streams, release on close, re-render only while watched, logs. */
import { assert, assertEquals, assertRejects } from "@std/assert";
import { createLogger, LogRing } from "../../../mod/log/mod.ts";
import { LiveHub, type LiveMessage, type LiveStream } from "../../../ui/live/hub.ts";

const quiet = createLogger({ level: "fatal" });

/** Take the next message of a stream (or fail after `ms`). */
async function next(stream: LiveStream, ms = 2000): Promise<LiveMessage> {
  const iterator = stream[Symbol.asyncIterator]();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("no message")), ms);
  });
  try {
    const result = await Promise.race([iterator.next(), timeout]);
    if (result.done) throw new Error("stream ended");
    return result.value;
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("LiveHub sends a region's state on open, then only changes; no timer once all streams close", async () => {
  let value = "a";
  let renders = 0;
  const hub = new LiveHub({
    fragments: {
      count: () => {
        renders++;
        return `<b>${value}</b>`;
      },
    },
    intervalMs: 20,
    logger: quiet,
  });
  assertEquals(hub.ticking, false);
  const stream = (await hub.open({ topics: ["count", "unknown"], alive: () => true }))!;
  assertEquals([...stream.topics], ["count"]);
  assert(hub.ticking);
  assertEquals(await next(stream), {
    event: "fragment",
    data: JSON.stringify({ id: "live-count", html: "<b>a</b>" }),
  });
  value = "b";
  const changed = await next(stream);
  assert("data" in changed && changed.data.includes("<b>b</b>"));
  // Unchanged regions are not sent again: only a keep-alive could come, and not this soon.
  const quietFor = await next(stream, 150).catch((error) => error as Error);
  assert(quietFor instanceof Error, "nothing sent while nothing changed");

  stream.close();
  assertEquals(hub.streams, 0);
  assertEquals(hub.ticking, false);
  const rendersAfterClose = renders;
  await new Promise((resolve) => setTimeout(resolve, 80));
  assertEquals(renders, rendersAfterClose, "no rendering with no stream open");
});

Deno.test("LiveHub bounds its streams and ends the ones whose session is over", async () => {
  const hub = new LiveHub({
    fragments: { x: () => "x" },
    intervalMs: 20,
    maxStreams: 2,
    logger: quiet,
  });
  let alive = true;
  const a = (await hub.open({ topics: ["x"], alive: () => alive }))!;
  const b = (await hub.open({ topics: ["x"], alive: () => true }))!;
  assertEquals(await hub.open({ topics: ["x"], alive: () => true }), undefined);
  alive = false;
  for (let i = 0; i < 50 && !a.closed; i++) await new Promise((r) => setTimeout(r, 10));
  assert(a.closed, "the stream of an ended session is closed");
  assertEquals(hub.streams, 1);
  // A slot is free again.
  const c = (await hub.open({ topics: ["x"], alive: () => true }))!;
  hub.close();
  assert(b.closed && c.closed);
  assertEquals(hub.streams, 0);
  assertEquals(hub.ticking, false);
});

Deno.test("LiveHub forwards log lines (with the backlog after a sequence number) only while followed", async () => {
  const logs = new LogRing({ capacity: 10 });
  const logger = createLogger({ sink: logs.sink });
  logger.info("before one");
  logger.info("before two");
  const hub = new LiveHub({ fragments: {}, logs, intervalMs: 1000, logger: quiet });
  assertEquals(hub.followingLogs, false);
  const stream = (await hub.open({ topics: ["logs"], afterLogSeq: 1, alive: () => true }))!;
  assert(hub.followingLogs);
  assertEquals(logs.listeners, 1);
  const backlog = await next(stream);
  assert("data" in backlog && JSON.parse(backlog.data).line.includes("before two"));
  logger.warn("live line");
  const live = await next(stream);
  assert("event" in live && live.event === "log");
  assertEquals(JSON.parse(live.data).level, "warn");
  stream.close();
  assertEquals(hub.followingLogs, false);
  assertEquals(logs.listeners, 0);
});

Deno.test("LiveHub drops a stream whose reader falls too far behind", async () => {
  const logs = new LogRing();
  const logger = createLogger({ sink: logs.sink });
  const hub = new LiveHub({ fragments: {}, logs, maxQueued: 5, logger: quiet });
  const stream = (await hub.open({ topics: ["logs"], alive: () => true }))!;
  for (let i = 0; i < 10; i++) logger.info(`line ${i}`);
  assert(stream.closed, "an unread stream is closed, not grown");
  assertEquals(hub.streams, 0);
  assertEquals(logs.listeners, 0);
});

Deno.test("LiveHub: name@key topics resolve at run time under the region's plain id; update() pushes at once", async () => {
  let value = "one";
  const hub = new LiveHub({
    fragments: { fleet: () => `<b>${value}</b>` },
    resolve: (topic) => topic.startsWith("dmsg@") ? () => `<i>${topic.slice(5)}</i>` : undefined,
    intervalMs: 60_000,
    logger: quiet,
  });
  const stream = (await hub.open({
    topics: ["fleet", "dmsg@02ab", "other@02ab", "constructor", "toString"],
    alive: () => true,
  }))!;
  // Unknown run-time topics and the object's own properties are not regions.
  assertEquals([...stream.topics], ["fleet", "dmsg@02ab"]);
  const first = [await next(stream), await next(stream)].map((m) =>
    "data" in m && JSON.parse(m.data)
  );
  assertEquals(first, [
    { id: "live-fleet", html: "<b>one</b>" },
    { id: "live-dmsg", html: "<i>02ab</i>" },
  ]);
  // A change is pushed by update() without waiting for the (here one-minute) tick.
  value = "two";
  await hub.update("fleet");
  const pushed = await next(stream, 500);
  assertEquals("data" in pushed && JSON.parse(pushed.data), {
    id: "live-fleet",
    html: "<b>two</b>",
  });
  // Unchanged: nothing is sent; unwatched: nothing is rendered.
  await hub.update("fleet");
  await hub.update("nobody-watches");
  await assertRejects(() => next(stream, 100), Error, "no message");
  stream.close();
  assertEquals(hub.streams, 0);
  assertEquals(hub.ticking, false);
});
