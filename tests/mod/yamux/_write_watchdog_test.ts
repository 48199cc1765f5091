import { assert, assertEquals } from "@std/assert";
import { WriteWatchdog } from "../../../mod/yamux/_write_watchdog.ts";

function writer(name: string, expired: string[]) {
  return { deadline: Infinity, expire: () => expired.push(name) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("WriteWatchdog expires only writes past their deadline, the earliest first", async () => {
  const watchdog = new WriteWatchdog();
  const expired: string[] = [];
  const slow = writer("slow", expired), late = writer("late", expired);
  const done = writer("done", expired);
  late.deadline = performance.now() + 400;
  watchdog.watch(late);
  // An earlier deadline re-arms the timer for it.
  slow.deadline = performance.now() + 30;
  watchdog.watch(slow);
  done.deadline = performance.now() + 20;
  watchdog.watch(done);
  done.deadline = Infinity; // its write finished in time
  await sleep(100);
  assertEquals(expired, ["slow"]);
  // The idle writer was dropped when the timer fired; the busy one is still watched.
  assertEquals(watchdog.size, 1);
  assert(watchdog.armed);
  late.deadline = Infinity;
  watchdog.forget(late);
  assertEquals([watchdog.size, watchdog.armed], [0, false]);
});

Deno.test("WriteWatchdog re-arms for a write that started after the timer was set", async () => {
  const watchdog = new WriteWatchdog();
  const expired: string[] = [];
  const w = writer("w", expired);
  w.deadline = performance.now() + 20;
  watchdog.watch(w);
  // That write finishes and a later one starts: the timer fires for the first deadline, finds
  // the second write not yet due and waits for it.
  w.deadline = performance.now() + 60;
  watchdog.watch(w);
  await sleep(40);
  assertEquals(expired, []);
  assert(watchdog.armed);
  await sleep(60);
  assertEquals(expired, ["w"]);
  assertEquals([watchdog.size, watchdog.armed], [0, false]);
});

Deno.test("WriteWatchdog lets its timer lapse once every writer is idle", async () => {
  const watchdog = new WriteWatchdog();
  const expired: string[] = [];
  const w = writer("w", expired);
  for (let i = 0; i < 100; i++) {
    w.deadline = performance.now() + 20;
    watchdog.watch(w);
    w.deadline = Infinity;
  }
  assert(watchdog.armed);
  await sleep(50);
  assertEquals(expired, []);
  assertEquals([watchdog.size, watchdog.armed], [0, false]);
});
