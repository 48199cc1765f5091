import { assert, assertEquals } from "@std/assert";
import { DiscoveryClient, type DmsgClient } from "../../../../mod/dmsg/mod.ts";
import { testNetwork, waitFor } from "../_harness.ts";
import type { ChurnJob, ChurnReport } from "./_churn_worker.ts";

// Leaks show within the first hundreds, and every outcome (echoed, refused, aborted mid-dial)
// occurs dozens of times at these counts; the soaks in tests/e2e run the server longer.
const CLIENT_CYCLES = 200;
const STREAMS = 1_000;

function idleServer(stats: Record<string, number>, sessions: number): void {
  const expect: Record<string, number> = {
    sessions,
    servedSessions: sessions,
    sessionHandshakes: 0,
    pendingRelays: 0,
    sessionPending: 0,
    relays: 0,
    sessionStreams: 0,
    piping: 0,
    yamuxStreams: 0,
    ports: 0,
    streams: 0,
    handshakes: 0,
    tasks: sessions,
  };
  for (const [key, value] of Object.entries(expect)) assertEquals(stats[key], value, key);
}

function assertClosedClient(client: DmsgClient): void {
  for (const [key, value] of Object.entries(client.stats())) {
    if (key === "entryCache" || key === "routeCache") continue;
    assertEquals(value, 0, key);
  }
}

Deno.test(`churn: ${CLIENT_CYCLES} clients connect and disconnect, nothing stays behind`, async () => {
  await using net = await testNetwork();
  const server = await net.server();
  const baseline = server.stats();
  const disc = new DiscoveryClient({ url: net.url });
  const [entry] = await disc.availableServers();
  let cycles = 0;
  const worker = async () => {
    while (cycles < CLIENT_CYCLES) {
      cycles++;
      const client = await net.client({ servers: [entry] });
      net.clients.splice(net.clients.indexOf(client), 1);
      await client.ready();
      await client.close();
      assertClosedClient(client);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  await waitFor("server idle", () => server.sessionCount() === 0 && server.stats().tasks === 0);
  idleServer(server.stats(), 0);
  // The last entry update is debounced; once it ran, the timers are the baseline's again.
  await waitFor("timers settle", () => server.stats().timers === baseline.timers);
  assertEquals(server.stats().yamuxTimers, 0);
  await waitFor(
    "entry says all free",
    async () => (await disc.getEntry(server.pk)).server?.availableSessions === 2048n,
  );
});

Deno.test(`churn: ${STREAMS} streams through one server, nothing stays behind`, async () => {
  await using net = await testNetwork();
  const server = await net.server();
  const b = await net.client();
  await b.ready();
  const listener = b.listen(7);
  const echoes = new Set<Promise<void>>();
  const served = (async () => {
    for await (const stream of listener) {
      const one = new Uint8Array(1);
      const task = (async () => {
        try {
          const n = await stream.read(one);
          if (n) await stream.write(one);
          await stream.read(one);
        } catch {
          // The dialer went away first.
        } finally {
          stream.close();
        }
      })();
      echoes.add(task);
      task.then(() => echoes.delete(task));
    }
  })();
  // The dialer runs in its own thread: KK handshakes are CPU-bound and this machine has two.
  const workers = [new Worker(new URL("./_churn_worker.ts", import.meta.url), { type: "module" })];
  let reports: ChurnReport[];
  try {
    reports = await Promise.all(workers.map((worker, i) => {
      const job: ChurnJob = {
        discovery: net.url,
        target: b.pk.hex(),
        port: 7,
        deadPort: 9,
        count: STREAMS / workers.length,
        concurrency: 8,
        seed: 0xc0ffee + i,
      };
      const done = new Promise<ChurnReport>((resolve, reject) => {
        worker.onmessage = (event) => resolve(event.data);
        worker.onerror = (event) => {
          event.preventDefault();
          reject(new Error(event.message));
        };
      });
      worker.postMessage(job);
      return done;
    }));
  } finally {
    for (const worker of workers) worker.terminate();
  }
  for (const report of reports) {
    assertEquals(report.unexpected, []);
    assertEquals(report.ok + report.refused + report.aborted, STREAMS / workers.length);
    assert(report.ok > STREAMS / workers.length * 0.8, `ok ${report.ok}`);
    assert(report.refused > 0 && report.aborted > 0);
    for (const key of ["ports", "streams", "handshakes", "yamuxStreams", "dialingSessions"]) {
      assertEquals(report.stats[key], 0, key);
    }
    for (const [key, value] of Object.entries(report.closedStats)) {
      if (key !== "entryCache" && key !== "routeCache") assertEquals(value, 0, key);
    }
  }
  await waitFor("b idle", () => echoes.size === 0 && b.stats().streams === 0);
  await waitFor("relay idle", () => server.stats().relays === 0 && server.sessionCount() === 1);
  await waitFor("yamux idle", () => server.stats().yamuxStreams === 0);
  idleServer(server.stats(), 1);
  const bStats = b.stats();
  for (const key of ["ports", "streams", "handshakes", "incomingHandshakes", "yamuxStreams"]) {
    assertEquals(bStats[key], key === "ports" ? 1 : 0, key);
  }
  listener.close();
  await served;
});
