import { assert, assertEquals, assertMatch } from "@std/assert";
import { curl, hasCurl } from "../../../_util/curl.ts";
import { startHttpTarget } from "../../../_util/http_target.ts";
import { waitFor } from "../../../mod/dmsg/_harness.ts";
import { skysocksPair } from "../_skysocks_pair.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

// Liveness settings shrunk ~75× from Go's 15 s / 10 s so a collapse is caught in well under a second.
const FAST = {
  pingIntervalMs: 200,
  pingTimeoutMs: 150,
  pingFailures: 2,
  backoffInitialMs: 50,
  backoffMaxMs: 400,
  exitReplyTimeoutMs: 300,
  requestWaitMs: 10_000,
};

/** Connects to `addr` every few ms until stopped; counts refusals (the port must stay bound). */
function watchPort(port: number) {
  let refused = 0, probes = 0, running = true;
  const done = (async () => {
    while (running) {
      try {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        conn.close();
      } catch {
        refused++;
      }
      probes++;
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return { refused, probes };
    },
  };
}

Deno.test({
  name: "skysocks-client: a silently collapsed session is caught by the ping and redialed",
  ignore: !hasCurl,
  async fn() {
    await using target = await startHttpTarget();
    await using pair = await skysocksPair({
      client: FAST,
      server: { keepAliveIntervalMs: 300 },
    });
    await waitFor("session", () => pair.client.status().session.state === "up");
    const url = `http://127.0.0.1:${target.port}/hello`;
    assertEquals((await curl(["--socks5-hostname", pair.socks, url])).code, 0);
    const port = watchPort(pair.client.addr.port);

    // The route dies without EOF: no close, no error, bytes just stop.
    const collapsedAt = performance.now();
    pair.clientNet.blackHoleAll();
    await waitFor("redial", () => pair.client.status().session.connects === 2, 10_000);
    const recoveredIn = performance.now() - collapsedAt;
    const status = pair.client.status().session;
    assertEquals(status.state, "up");
    assertMatch(status.lastError ?? "", /2 liveness pings unanswered/);
    // Two ping periods plus a timeout, then a backoff step and a dial.
    assert(recoveredIn >= 2 * FAST.pingIntervalMs, `recovered after ${recoveredIn} ms`);

    const after = await curl(["--socks5-hostname", pair.socks, url]);
    assertEquals(after.code, 0, after.stderr);
    assertEquals(text(after.body), `hello from 127.0.0.1:${target.port}`);
    const { refused, probes } = await port.stop();
    assertEquals(refused, 0, `the SOCKS port refused ${refused} of ${probes} probes`);
    assert(probes > 10);
    // The dead session's app connection was closed on our side, and the server reaped its end.
    assertEquals(pair.clientNet.dialed.length, 2);
    await waitFor("server reaps the silent session", () => pair.server.stats().sessions === 1);
  },
});

Deno.test({
  name: "skysocks-client: a request made during the collapse waits and goes through",
  ignore: !hasCurl,
  async fn() {
    await using target = await startHttpTarget();
    await using pair = await skysocksPair({ client: FAST });
    await waitFor("session", () => pair.client.status().session.state === "up");
    pair.clientNet.blackHoleAll();
    // Sent at once: the exit cannot answer on the dead session, so it waits for the next one.
    const result = await curl([
      "--socks5-hostname",
      pair.socks,
      `http://127.0.0.1:${target.port}/hello`,
    ]);
    assertEquals(result.code, 0, result.stderr);
    assert(pair.client.status().session.connects >= 2);
  },
});

Deno.test({
  name: "skysocks-client: a server restart is followed without user action",
  ignore: !hasCurl,
  async fn() {
    await using target = await startHttpTarget();
    await using pair = await skysocksPair({ client: FAST });
    await waitFor("session", () => pair.client.status().session.state === "up");
    await pair.server.close();
    await waitFor("loss noticed", () => pair.client.status().session.state !== "up");
    const port = watchPort(pair.client.addr.port);
    // A request while the server is away waits for it (within requestWaitMs).
    const pending = curl([
      "--socks5-hostname",
      pair.socks,
      `http://127.0.0.1:${target.port}/hello`,
    ]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    pair.server = await (async () => {
      await pair.restartServer();
      return pair.server;
    })();
    const result = await pending;
    assertEquals(result.code, 0, result.stderr);
    assertEquals((await port.stop()).refused, 0);
    assert(pair.client.status().session.reconnects >= 1);
  },
});

Deno.test({
  name:
    "skysocks-client: without a session in time a request gets SOCKS reply 3; status still answers",
  ignore: !hasCurl,
  async fn() {
    await using target = await startHttpTarget();
    await using pair = await skysocksPair({ client: { ...FAST, requestWaitMs: 400 } });
    await waitFor("session", () => pair.client.status().session.state === "up");
    pair.clientNet.refusing = true;
    await pair.server.close();
    await waitFor("loss noticed", () => pair.client.status().session.state !== "up");
    const started = performance.now();
    const result = await curl([
      "--socks5-hostname",
      pair.socks,
      `http://127.0.0.1:${target.port}/hello`,
    ]);
    const waited = performance.now() - started;
    assertEquals(result.code, 97, result.stderr);
    assertMatch(result.stderr, /\(3\)|unreachable/i);
    assert(waited >= 350 && waited < 5_000, `answered after ${waited} ms`);
    const page = await curl(["--socks5-hostname", pair.socks, "http://status.skysocks/json"]);
    assertEquals(page.code, 0, page.stderr);
    const status = JSON.parse(text(page.body));
    assert(["connecting", "waiting"].includes(status.session.state), status.session.state);
    assertEquals(status.unreachable, 1);
    assert(status.session.dialFailures >= 1);
    assertEquals(target.requests, 0);
  },
});

Deno.test("skysocks-client: with reconnect off, a lost session stops the client", async () => {
  await using pair = await skysocksPair({ client: { ...FAST, reconnect: false } });
  await waitFor("session", () => pair.client.status().session.state === "up");
  pair.clientNet.blackHoleAll();
  const error = await pair.client.stopped;
  assertMatch(error?.message ?? "", /session lost: 2 liveness pings unanswered/);
  // The SOCKS port is released with it.
  const refused = await Deno.connect({ hostname: "127.0.0.1", port: pair.client.addr.port })
    .then((c) => (c.close(), false), () => true);
  assert(refused);
  assertEquals(pair.client.stats().connections, 0);
  assertEquals(pair.client.stats().waiting, 0);
});
