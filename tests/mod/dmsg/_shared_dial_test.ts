import { assertEquals, assertRejects } from "@std/assert";
import { SharedDial } from "../../../mod/dmsg/_shared_dial.ts";

// A dial that settles when told, or rejects with its signal's reason.
function controllable() {
  const done = Promise.withResolvers<string>();
  let signal: AbortSignal | undefined;
  const dial = (s: AbortSignal) => {
    signal = s;
    s.addEventListener("abort", () => done.reject(s.reason), { once: true });
    return done.promise;
  };
  return { dial, done, signal: () => signal! };
}

Deno.test("SharedDial: a caller that gives up leaves; the others still get the result", async () => {
  const parent = new AbortController();
  const d = controllable();
  const shared = new SharedDial(d.dial, parent.signal);
  const quitter = new AbortController();
  const a = shared.join(quitter.signal);
  const b = shared.join(new AbortController().signal);
  const c = shared.join();
  assertEquals(shared.waiters, 3);
  quitter.abort(new Error("a gave up"));
  await assertRejects(() => a, Error, "a gave up");
  assertEquals([shared.waiters, d.signal().aborted], [2, false]);
  d.done.resolve("session");
  assertEquals([await b, await c], ["session", "session"]);
  assertEquals(shared.waiters, 0);
});

Deno.test("SharedDial: the dial is aborted once every caller has given up, or the parent aborts", async () => {
  const d = controllable();
  const shared = new SharedDial(d.dial, new AbortController().signal);
  const [x, y] = [new AbortController(), new AbortController()];
  const joined = [shared.join(x.signal), shared.join(y.signal)];
  x.abort(new Error("x"));
  assertEquals(d.signal().aborted, false);
  y.abort(new Error("y"));
  assertEquals(d.signal().aborted, true);
  await Promise.allSettled(joined);
  await assertRejects(() => shared.promise, Error, "every caller gave up");
  // An already aborted caller does not join at all.
  const z = new AbortController();
  z.abort(new Error("z"));
  await assertRejects(() => shared.join(z.signal), Error, "z");
  assertEquals(shared.waiters, 0);

  const parent = new AbortController();
  const e = controllable();
  const owned = new SharedDial(e.dial, parent.signal);
  const waiting = owned.join();
  parent.abort(new Error("client closed"));
  await assertRejects(() => waiting, Error, "client closed");
});
