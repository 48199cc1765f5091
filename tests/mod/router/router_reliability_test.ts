// Reliability: many route set-ups and teardowns leave nothing behind; a relay that dies is
// noticed by both ends within the budget (at once when its transports close, within the rule
// keep-alive when they are kept up and redialed) and everything is released.
import { assert, assertEquals } from "@std/assert";
import { readFull, writeAll } from "../../../mod/conn/mod.ts";
import type { Router } from "../../../mod/router/mod.ts";
import { eventually, routerIdle, TestRoutes } from "./_net.ts";

function counters(router: Router) {
  const s = router.stats();
  return {
    rules: s.rules,
    pending: s.pendingReservations,
    groups: s.groups,
    timers: s.groupTimers,
    establishing: s.establishing,
    ports: s.ports,
    listeners: s.listeners,
  };
}

Deno.test({
  name: "500 route set-ups and teardowns through a relay leave no rule, group, port or timer",
  sanitizeOps: false, // the transports' read loops outlive single steps; counters say the rest
  sanitizeResources: false,
  async fn() {
    await using net = new TestRoutes();
    const a = await net.visor(), m = await net.visor(), b = await net.visor();
    await net.link(a, m);
    await net.link(m, b);
    const listener = b.router.listen(7);
    const byte = new Uint8Array(1);
    const started = performance.now();
    for (let i = 0; i < 500; i++) {
      const [conn, accepted] = await Promise.all([a.dialer.dial(b.pk, 7), listener.accept()]);
      byte[0] = i & 0xff;
      await writeAll(conn, byte);
      await readFull(accepted!, byte);
      assertEquals(byte[0], i & 0xff);
      // Either end closes; every fifth time both at once.
      if (i % 5 === 4) {
        conn.close();
        accepted!.close();
      } else if (i % 2 === 0) conn.close();
      else accepted!.close();
      await Promise.all([conn.closed, accepted!.closed]);
    }
    const ms = performance.now() - started;
    await eventually(() => m.router.stats().rules === 0, "the relay's rules gone");
    listener.close();
    for (const v of [a, m, b]) {
      assertEquals(counters(v.router), {
        rules: 0,
        pending: 0,
        groups: 0,
        timers: 0,
        establishing: 0,
        ports: 0,
        listeners: 0,
      });
      assertEquals(v.router.stats().packets.dropped.writeFailed, 0);
    }
    // Route ids were handed out fresh each time (no reuse while a Close could be in flight).
    assertEquals(a.router.table.stats().reserved, 500 * 2);
    console.log(JSON.stringify({ route_setup_and_teardown_avg_ms: Math.round(ms / 5) / 100 }));
  },
});

Deno.test({
  name: "a relay dies (its transports close): both ends notice at once and release everything",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using net = new TestRoutes();
    const a = await net.visor(), m = await net.visor(), b = await net.visor();
    await net.link(a, m);
    await net.link(m, b);
    const listener = b.router.listen(7);
    const [conn, accepted] = await Promise.all([a.dialer.dial(b.pk, 7), listener.accept()]);
    const pendingRead = accepted!.read(new Uint8Array(8));
    const killed = performance.now();
    // As when the relay's process is killed: its TCP connections close, its router says nothing.
    await m.manager.close();
    await Promise.all([conn.closed, accepted!.closed]);
    const noticedMs = performance.now() - killed;
    assertEquals(await pendingRead, null, "a pending read ends");
    assertEquals(await conn.read(new Uint8Array(8)), null);
    listener.close();
    assert(routerIdle(a.router), JSON.stringify(a.router.stats()));
    assert(routerIdle(b.router), JSON.stringify(b.router.stats()));
    assert(noticedMs < 2_000, `noticed after ${noticedMs} ms`);
    console.log(
      JSON.stringify({ relay_killed_transports_close_noticed_ms: Math.round(noticedMs) }),
    );
  },
});

Deno.test({
  name: "a relay dies behind persistent transports: both ends notice within the keep-alive",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using net = new TestRoutes();
    // Rules of 600 ms keep-alive, swept every 100 ms: the budget is keep-alive + one sweep.
    const options = { keepAliveMs: 600, gcIntervalMs: 100 };
    const a = await net.visor(options), m = await net.visor(options), b = await net.visor(options);
    await net.link(a, m);
    await net.link(m, b);
    // Transports that redial after a loss instead of closing: the ends hear nothing from them.
    a.manager.setPersistent([{ pk: m.pk, type: "stcp" }]);
    b.manager.setPersistent([{ pk: m.pk, type: "stcp" }]);
    const listener = b.router.listen(7);
    const [conn, accepted] = await Promise.all([a.dialer.dial(b.pk, 7), listener.accept()]);
    // The groups keep their rules alive while the relay lives.
    await new Promise((resolve) => setTimeout(resolve, 900));
    assertEquals(conn.group.state, "open");
    const killed = performance.now();
    m.router.table.close(); // the relay forgets everything, like a process that is gone
    await m.manager.close();
    await Promise.all([conn.closed, accepted!.closed]);
    const noticedMs = performance.now() - killed;
    listener.close();
    assert(noticedMs < 600 + 100 + 1_000, `noticed after ${noticedMs} ms`);
    assert(routerIdle(a.router), JSON.stringify(a.router.stats()));
    assert(routerIdle(b.router), JSON.stringify(b.router.stats()));
    assert(a.manager.transports().length === 1, "the persistent transport is still there");
    console.log(JSON.stringify({ relay_killed_keepalive_noticed_ms: Math.round(noticedMs) }));
  },
});
