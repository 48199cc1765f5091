/**
 * Reliability of the manager over real TCP (stcp): simultaneous dials from both edges, and
 * many add/remove cycles, with every map left empty.
 */
import { assert, assertEquals, assertStrictEquals } from "@std/assert";
import { makeTransportId } from "../../../mod/cipher/mod.ts";
import type { ManagedTransport } from "../../../mod/transport/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { eventually, MemoryRegistry, pingEventually, startStcpPeer } from "./_peers.ts";

const IDLE = { transports: 0, dialing: 0, accepting: 0, inflight: 0, persistentBackoffs: 0 };

Deno.test("glare: both edges dial at once, 100 rounds, one live transport each side", async () => {
  const table = new Map<string, string>();
  const registry = new MemoryRegistry();
  const logger = captureLogger("debug");
  const a = await startStcpPeer(table, { registry, logger });
  const b = await startStcpPeer(table, { registry, logger });
  const id = makeTransportId(a.keys.pk, b.keys.pk, "stcp");
  const closedDuringGlare: string[] = [];
  try {
    for (let round = 0; round < 100; round++) {
      const [ta, tb] = await Promise.all([
        a.manager.saveTransport(b.keys.pk, "stcp"),
        b.manager.saveTransport(a.keys.pk, "stcp"),
      ]);
      const watch = (tp: ManagedTransport, side: string) =>
        tp.closed.then(() => {
          if (!deleting) closedDuringGlare.push(`round ${round}: ${side}`);
        });
      let deleting = false;
      watch(ta, "a");
      watch(tb, "b");
      await eventually(
        () =>
          ta.isUp && tb.isUp && a.manager.transports().length === 1 &&
          b.manager.transports().length === 1,
        `round ${round}: both up`,
      );
      assertStrictEquals(a.manager.transport(id), ta, `round ${round}: a's transport was replaced`);
      assertStrictEquals(b.manager.transport(id), tb, `round ${round}: b's transport was replaced`);
      // The two ends use the same connection: pings cross it both ways.
      await pingEventually(ta);
      await pingEventually(tb);
      assertEquals(closedDuringGlare, []);
      deleting = true;
      await a.manager.deleteTransport(id);
      await eventually(() => b.manager.transports().length === 0, `round ${round}: b empty`);
    }
    assertEquals(registry.entries.size, 0);
    // The rounds really raced: a second connection met the first in most of them.
    const glare = logger.lines.filter((line) => /glare|replacing the connection/.test(line));
    assert(glare.length >= 100, `only ${glare.length} glare resolutions in 100 rounds`);
  } finally {
    await a.manager.close();
    await b.manager.close();
  }
  assertEquals(a.manager.stats(), IDLE);
  assertEquals(b.manager.stats(), IDLE);
});

Deno.test("200 add/remove cycles leave no entry in any map or the registry", async () => {
  const table = new Map<string, string>();
  const registry = new MemoryRegistry();
  const a = await startStcpPeer(table, { registry });
  const b = await startStcpPeer(table, { registry });
  try {
    for (let i = 0; i < 200; i++) {
      const [from, to] = i % 2 === 0 ? [a, b] : [b, a];
      const tp = await from.manager.saveTransport(to.keys.pk, "stcp");
      assert(tp.isUp);
      if (i % 3 === 0) {
        await tp.writePacket({ type: 0, routeId: i + 1, payload: new Uint8Array(10) });
      }
      // Remove from either side (the accepting side installs just after the dialer returns).
      const remover = i % 4 < 2 ? from : to;
      await eventually(() => remover.manager.transport(tp.id) !== undefined, "installed");
      assert(await remover.manager.deleteTransport(tp.id));
    }
    await eventually(
      () => a.manager.transports().length === 0 && b.manager.transports().length === 0,
      "both sides empty",
    );
    assertEquals(a.manager.stats(), IDLE);
    assertEquals(b.manager.stats(), IDLE);
    assertEquals(registry.entries.size, 0);
    assertEquals(a.network.pendingHandshakes + b.network.pendingHandshakes, 0);
  } finally {
    await a.manager.close();
    await b.manager.close();
  }
});
