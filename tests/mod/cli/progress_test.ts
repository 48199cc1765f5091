import { assert, assertEquals, assertMatch } from "@std/assert";
import { createProgress } from "../../../mod/cli/mod.ts";

function recorder(terminal: boolean) {
  let clock = 0;
  const writes: string[] = [];
  const progress = createProgress({
    label: "downloading",
    terminal,
    write: (t) => writes.push(t),
    now: () => clock,
  });
  return { progress, writes, tick: (ms: number) => (clock += ms) };
}

Deno.test("plain progress prints a line per 10 % and a final line", () => {
  const { progress, writes, tick } = recorder(false);
  const total = 10 * 1024 * 1024;
  for (let done = 0; done <= total; done += 64 * 1024) {
    tick(1);
    progress.update(done, total);
  }
  progress.end();
  assertEquals(writes.length, 11, writes.join(""));
  assert(writes.every((w) => w.endsWith("\n") && !w.includes("\r")));
  assertMatch(writes[0], /^downloading: 0% 0\.0\/10\.0 MiB/);
  assertMatch(writes.at(-1)!, /^downloading: 100% 10\.0\/10\.0 MiB/);
});

Deno.test("plain progress prints at least every 10 s when slow, and the last state on failure", () => {
  const { progress, writes, tick } = recorder(false);
  progress.update(0, 1000);
  tick(11_000);
  progress.update(10, 1000);
  tick(1000);
  progress.update(20, 1000);
  progress.end();
  assertEquals(writes.length, 3);
  assertMatch(writes[2], /^downloading: 2% /);
});

Deno.test("terminal progress redraws one line in place and ends it", () => {
  const { progress, writes, tick } = recorder(true);
  for (let done = 0; done <= 100; done += 10) {
    tick(200);
    progress.update(done, 100);
  }
  progress.end();
  assert(writes.every((w) => w.startsWith("\r[")));
  assert(writes.slice(0, -1).every((w) => !w.endsWith("\n")));
  assert(writes.at(-1)!.endsWith("\n"));
  assertMatch(writes.at(-1)!, /\[#{24}\] downloading: 100%/);
});

Deno.test("progress that never started prints nothing", () => {
  const { progress, writes } = recorder(false);
  progress.end();
  assertEquals(writes, []);
});
