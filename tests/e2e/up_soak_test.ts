/**
 * Soak: a running `skywire up` child under three rounds of the hardening issue's attacks at once
 * (slowloris sockets that send nothing or drip a head, request bodies that never end, clients
 * that disconnect mid-body, replayed deletes of its own entries, list floods), each against its
 * discovery and its web UI. After every round the process is back at its baseline of open file
 * descriptors (the server's own timeouts freed the held sockets), its entries are still there,
 * its memory is bounded, and nothing was logged as an error.
 */
import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import { tempDir } from "../_util/temp_dir.ts";
import {
  fdCount,
  type HeldSockets,
  holdSockets,
  listFlood,
  listPaths,
  rssMiB,
} from "./_attacks.ts";
import { SkywireProcess } from "./_skywire.ts";

const ROUNDS = 3;
// Each attacker address stays under the per-IP cap (128), so the server's timeouts, not the
// cap, are what free these sockets.
const HELD_PER_KIND = 40;

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** POST with a declared body, send part of it, hang up. */
async function hangUpMidBody(port: number): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(
    new TextEncoder().encode(
      'POST /dmsg-discovery/entry/ HTTP/1.1\r\nHost: x\r\nContent-Length: 4000\r\n\r\n{"vers',
    ),
  );
  await new Promise((r) => setTimeout(r, 20));
  conn.close();
}

async function replayDelete(
  discovery: string,
  pk: string,
  client: Deno.HttpClient,
): Promise<number> {
  const served = await fetch(`${discovery}/dmsg-discovery/entry/${pk}`, { client });
  const body = new Uint8Array(await served.arrayBuffer());
  const res = await fetch(`${discovery}/dmsg-discovery/entry`, { method: "DELETE", body, client });
  await res.body?.cancel();
  return res.status;
}

Deno.test("soak: three rounds of mixed attacks leave skywire up at its fd baseline, memory bounded", async () => {
  await using dir = await tempDir();
  await using up = new SkywireProcess([
    "up",
    "--data",
    join(dir.path, "data"),
    "--discovery-port",
    "0",
    "--server-port",
    "0",
    "--json",
  ]);
  const info = JSON.parse(await up.line(/^\{/, 45_000));
  const discovery: string = info.discovery;
  const targets = [Number(new URL(discovery).port), Number(new URL(info.ui).port)];
  const own = [info.visor.pk, info.dmsg_server.pk];
  const paths = listPaths(info.dmsg_server.pk);
  // Settle: the visor's session and entry are up; one flood warms the list code.
  await listFlood(discovery, paths, paths.length);
  await new Promise((r) => setTimeout(r, 1_000));
  const baselineFds = fdCount(up.pid);
  const baselineRss = rssMiB(up.pid);
  let peakRss = baselineRss;
  const sampler = setInterval(() => peakRss = Math.max(peakRss, rssMiB(up.pid)), 50);
  const figures: string[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const started = Date.now();
      // The round's own requests go on connections closed at its end, like the attackers'.
      const client = Deno.createHttpClient({});
      const held: HeldSockets[] = [];
      for (const port of targets) {
        held.push(await holdSockets(port, HELD_PER_KIND, "silent", "127.0.0.2"));
        held.push(await holdSockets(port, HELD_PER_KIND, "head", "127.0.0.3"));
        held.push(await holdSockets(port, HELD_PER_KIND, "body", "127.0.0.4"));
      }
      const peakFds = fdCount(up.pid);
      const [statuses, answers] = await Promise.all([
        Promise.all(own.map((pk) => replayDelete(discovery, pk, client))),
        listFlood(discovery, paths, 40),
        Promise.all(Array.from({ length: 5 }, () => hangUpMidBody(targets[0]))),
      ]);
      // 422 (not newer than the stored entry), or 401 for the server's entry, which is served
      // with the discovery's own server type and no longer verifies.
      assert(statuses.every((s) => s === 422 || s === 401), `replayed deletes: ${statuses}`);
      for (const answer of answers) assertEquals(answer.status, 200, answer.path);
      const health = await fetch(`${discovery}/health`, { client });
      assertEquals(health.status, 200, "a cheap request is answered during the attack");
      await health.body?.cancel();
      for (const pk of own) {
        const res = await fetch(`${discovery}/dmsg-discovery/entry/${pk}`, { client });
        await res.body?.cancel();
        assertEquals(res.status, 200, "its own entries survive the replays");
      }
      // The server's header (5 s) and body (5 s after the head) timeouts free every socket.
      const total = held.reduce((n, h) => n + h.sockets.length, 0);
      const freed = await waitFor(() => held.every((h) => h.closed() === h.sockets.length), 9_000);
      const open = total - held.reduce((n, h) => n + h.closed(), 0);
      for (const h of held) h.close();
      client.close();
      assert(freed, `round ${round}: ${open} of ${total} held sockets still open`);
      const back = await waitFor(() => fdCount(up.pid) <= baselineFds + 2, 3_000);
      assert(back, `round ${round}: ${fdCount(up.pid)} fds, baseline ${baselineFds}`);
      figures.push(
        `round ${round}: ${total} held, fds ${baselineFds} -> ${peakFds} -> ` +
          `${fdCount(up.pid)}, RSS ${rssMiB(up.pid).toFixed(0)} MiB, ${Date.now() - started} ms`,
      );
    }
  } finally {
    clearInterval(sampler);
  }
  console.log(
    `${figures.join("\n")}\nRSS ${baselineRss.toFixed(0)} -> peak ${peakRss.toFixed(0)} MiB`,
  );
  assert(peakRss - baselineRss < 150, `RSS ${baselineRss} -> ${peakRss} MiB`);
  const stopped = await up.stop("SIGTERM");
  assertEquals(stopped.code, 0, stopped.stderr);
  assert(!/ERROR|status=5\d\d/.test(stopped.stderr), stopped.stderr);
});
