import { assert, assertEquals, assertInstanceOf, assertRejects } from "@std/assert";
import { generateKeyPair, sha256 } from "../../../mod/cipher/mod.ts";
import { pipe, readFull, TcpStream, writeAll } from "../../../mod/conn/mod.ts";
import { DiscoveryClient, DmsgError, type DmsgStream } from "../../../mod/dmsg/mod.ts";
import { echo, roundTrip, testNetwork, waitFor } from "./_harness.ts";
import { freePort } from "../../_util/ports.ts";

function serveEcho(listener: AsyncIterable<DmsgStream>): Promise<void> {
  return (async () => {
    const running: Promise<void>[] = [];
    for await (const stream of listener) running.push(echo(stream));
    await Promise.all(running);
  })();
}

Deno.test("DmsgClient dials another client through a server and echoes bytes", async () => {
  await using net = await testNetwork();
  const server = await net.server();
  const a = await net.client();
  const b = await net.client();
  await a.ready();
  await b.ready();
  const listener = b.listen(7);
  const served = serveEcho(listener);
  const stream = await a.dialStream({ pk: b.pk, port: 7 });
  assertEquals(stream.serverPk.hex(), server.pk.hex());
  assertEquals(stream.remoteAddr.pk.hex(), b.pk.hex());
  assertEquals(stream.remoteAddr.port, 7);
  assert(stream.localAddr.port >= 49152);
  const data = new TextEncoder().encode("hello dmsg");
  assertEquals(await roundTrip(stream, data), data);
  stream.close();
  listener.close();
  await served;
  await waitFor("streams released", () => a.stats().ports === 0 && b.stats().streams === 0);
});

Deno.test("DmsgClient moves 20 MB through the server intact", async () => {
  await using net = await testNetwork();
  await net.server();
  const a = await net.client();
  const b = await net.client();
  await Promise.all([a.ready(), b.ready()]);
  const listener = b.listen(9);
  const size = 20 * 1024 * 1024;
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
  const received = (async () => {
    const stream = (await listener.accept())!;
    const got = new Uint8Array(size);
    await readFull(stream, got);
    assertEquals(await stream.read(new Uint8Array(1)), null);
    await writeAll(stream, sha256(got));
    stream.close();
  })();
  const stream = await a.dialStream({ pk: b.pk, port: 9 });
  await writeAll(stream, data);
  await stream.closeWrite();
  const digest = new Uint8Array(32);
  await readFull(stream, digest);
  assertEquals(digest, sha256(data));
  await received;
  stream.close();
  listener.close();
});

Deno.test("DmsgClient publishes a visor entry without protocol, then its server", async () => {
  await using net = await testNetwork();
  const server = await net.server();
  const a = await net.client();
  await a.ready();
  const entry = await new DiscoveryClient({ url: net.url }).getEntry(a.pk);
  assertEquals(entry.clientType, "visor");
  assertEquals(entry.protocol, "");
  assertEquals(entry.client?.delegatedServers?.map((pk) => pk.hex()), [server.pk.hex()]);
  assertEquals(a.sessions().map((s) => [s.serverPk.hex(), s.address]), [[
    server.pk.hex(),
    server.address,
  ]]);
});

/** A real discovery client that notes the keys it looks up. */
class NotingDiscovery extends DiscoveryClient {
  readonly lookups: string[] = [];
  override getEntry(...args: Parameters<DiscoveryClient["getEntry"]>) {
    this.lookups.push(args[0].hex());
    return super.getEntry(...args);
  }
}

Deno.test("DmsgClient with freshKey registers without reading its entry; a dial given the entry looks up nothing", async () => {
  await using net = await testNetwork();
  const server = await net.server();
  const b = await net.client();
  await b.ready();
  const listener = b.listen(7);
  const served = serveEcho(listener);
  const discovery = new NotingDiscovery({ url: net.url });
  const a = await net.client({ discovery, freshKey: true });
  await a.ready();
  // Registered (then updated with its server) without a read of its own key first.
  assertEquals(discovery.lookups.includes(a.pk.hex()), false);
  const stored = await new DiscoveryClient({ url: net.url }).getEntry(a.pk);
  assertEquals(stored.client?.delegatedServers?.map((pk) => pk.hex()), [server.pk.hex()]);

  const entry = await discovery.getEntry(b.pk);
  const before = discovery.lookups.length;
  const stream = await a.dialStream({ pk: b.pk, port: 7 }, { entry });
  assertEquals(discovery.lookups.length, before);
  const data = new TextEncoder().encode("no lookup");
  assertEquals(await roundTrip(stream, data), data);
  stream.close();
  // Someone else's entry is not taken for the destination's: that dial looks b up itself.
  const other = await a.dialStream({ pk: b.pk, port: 7 }, { entry: stored });
  other.close();
  listener.close();
  await served;
});

Deno.test("DmsgClient with dialOnly dials out, and its entry never lists its server", async () => {
  await using net = await testNetwork();
  await net.server();
  const b = await net.client();
  await b.ready();
  const listener = b.listen(7);
  const served = serveEcho(listener);
  const a = await net.client({ dialOnly: true, freshKey: true });
  const stream = await a.dialStream({ pk: b.pk, port: 7 });
  const data = new TextEncoder().encode("dial only");
  assertEquals(await roundTrip(stream, data), data);
  stream.close();
  assertEquals(a.sessions().length, 1);
  // Past the update debounce (50 ms here): still registered, still no delegated server.
  await new Promise((resolve) => setTimeout(resolve, 150));
  const stored = await new DiscoveryClient({ url: net.url }).getEntry(a.pk);
  assertEquals(stored.client?.delegatedServers ?? [], []);
  listener.close();
  await served;
});

Deno.test("DmsgClient dial to a port nobody listens on fails with 202 wrapping 306", async () => {
  await using net = await testNetwork();
  await net.server();
  const a = await net.client();
  const b = await net.client();
  await Promise.all([a.ready(), b.ready()]);
  const error = await assertRejects(() => a.dialStream({ pk: b.pk, port: 1234 }), DmsgError);
  assertEquals(error.code, 202);
  assertInstanceOf(error.cause, DmsgError);
  assertEquals((error.cause as DmsgError).code, 306);
  assertEquals(a.stats().ports, 0);
  // The session survives: listening now makes the same dial work.
  const listener = b.listen(1234);
  const served = serveEcho(listener);
  const stream = await a.dialStream({ pk: b.pk, port: 1234 });
  stream.close();
  listener.close();
  await served;
});

Deno.test("DmsgClient dial to an unknown key fails with 202 wrapping 100", async () => {
  await using net = await testNetwork();
  await net.server();
  const a = await net.client();
  await a.ready();
  const error = await assertRejects(
    () => a.dialStream({ pk: generateKeyPair().pk, port: 80 }),
    DmsgError,
  );
  assertEquals(error.code, 202);
  assertEquals((error.cause as DmsgError).code, 100);
});

Deno.test("DmsgClient listen refuses a taken port with 400 and frees it on close", async () => {
  await using net = await testNetwork();
  await net.server();
  const a = await net.client();
  const first = a.listen(80);
  const error = (() => {
    try {
      a.listen(80);
    } catch (e) {
      return e;
    }
  })();
  assertInstanceOf(error, DmsgError);
  assertEquals(error.code, 400);
  first.close();
  assertEquals(await first.accept(), null);
  a.listen(80).close();
  assertEquals(a.stats().ports, 0);
});

Deno.test("DmsgClient dial can be aborted and leaves no port behind", async () => {
  await using net = await testNetwork();
  await net.server();
  const a = await net.client();
  const b = await net.client();
  await Promise.all([a.ready(), b.ready()]);
  const controller = new AbortController();
  controller.abort(new Error("stop"));
  await assertRejects(
    () => a.dialStream({ pk: b.pk, port: 5 }, { signal: controller.signal }),
    Error,
    "stop",
  );
  assertEquals(a.stats().ports, 0);
});

Deno.test("DmsgClient closes a stream idle past its timeout and frees the port", async () => {
  await using net = await testNetwork();
  await net.server();
  const a = await net.client({ streamIdleTimeoutMs: 200 });
  const b = await net.client({ streamIdleTimeoutMs: 200 });
  await Promise.all([a.ready(), b.ready()]);
  const listener = b.listen(6);
  const accepted = listener.accept();
  const stream = await a.dialStream({ pk: b.pk, port: 6 });
  const other = (await accepted)!;
  await waitFor("idle close", () => a.stats().streams === 0 && b.stats().streams === 0);
  assertEquals(a.stats().ports, 0);
  assertEquals(await other.read(new Uint8Array(1)), null);
  stream.close();
  listener.close();
});

Deno.test("DmsgClient reconnects to another server when its server dies", async () => {
  await using net = await testNetwork();
  const s1 = await net.server();
  const s2 = await net.server();
  const a = await net.client({ servers: [] });
  await a.ready();
  const first = a.sessions()[0].serverPk.hex();
  const dying = first === s1.pk.hex() ? s1 : s2;
  const survivor = dying === s1 ? s2 : s1;
  await dying.close();
  await waitFor(
    "a session to the other server",
    () => a.sessions().some((s) => s.serverPk.hex() === survivor.pk.hex()),
  );
  const disc = new DiscoveryClient({ url: net.url });
  await waitFor("entry names the new server", async () => {
    const entry = await disc.getEntry(a.pk);
    return entry.client?.delegatedServers?.map((pk) => pk.hex()).join() === survivor.pk.hex();
  });
});

Deno.test("DmsgClient keeps working across a server restart on the same discovery", async () => {
  await using net = await testNetwork();
  const keys = generateKeyPair();
  const s1 = await net.server({ keys });
  const a = await net.client();
  const b = await net.client();
  await Promise.all([a.ready(), b.ready()]);
  const listener = b.listen(7);
  const served = serveEcho(listener);
  (await a.dialStream({ pk: b.pk, port: 7 })).close();
  await s1.close();
  await waitFor("sessions gone", () => a.sessions().length === 0 && b.sessions().length === 0);
  const s1again = await net.server({ keys });
  await waitFor(
    "both back",
    () =>
      a.sessions()[0]?.address === s1again.address && b.sessions()[0]?.address === s1again.address,
  );
  // The server registers a session a moment after the client sees it open, and waits only so
  // long for one a stream request names; on a busy machine that gap can be longer.
  await waitFor("the server holds both", () => s1again.sessionCount() === 2);
  const stream = await a.dialStream({ pk: b.pk, port: 7 });
  const data = new TextEncoder().encode("after restart");
  assertEquals(await roundTrip(stream, data), data);
  stream.close();
  listener.close();
  await served;
});

Deno.test("DmsgClient close releases sessions, listeners and ports and rejects later use", async () => {
  await using net = await testNetwork();
  const server = await net.server();
  const a = await net.client();
  const b = await net.client();
  await Promise.all([a.ready(), b.ready()]);
  const listener = b.listen(7);
  const accepted = listener.accept();
  const stream = await a.dialStream({ pk: b.pk, port: 7 });
  const far = (await accepted)!;
  await a.close();
  const stats = a.stats();
  for (const [key, value] of Object.entries(stats)) {
    if (key !== "entryCache" && key !== "routeCache") assertEquals(value, 0, key);
  }
  assertEquals(await far.read(new Uint8Array(1)).catch(() => null), null);
  far.close();
  stream.close();
  await assertRejects(() => a.dialStream({ pk: b.pk, port: 7 }), DmsgError);
  await waitFor("server forgot a", () => server.sessionCount() === 1);
  listener.close();
});

Deno.test("DmsgClient close with deleteEntry removes its entry even while an update is in flight", async () => {
  await using net = await testNetwork();
  await net.server();
  const disc = new DiscoveryClient({ url: net.url });
  // Close at many points of the start-up: during the first post, while the session-added
  // update is being debounced or sent, and after it. The entry must be gone every time (a
  // publish cut off by close used to forget the entry, and nothing was deleted).
  for (const waitMs of [0, 1, 2, 5, 10, 20, 40, 60, 80, 120]) {
    const keys = generateKeyPair();
    const client = await net.client({ keys, updateDebounceMs: 30 });
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    await client.close({ deleteEntry: true });
    await assertRejects(
      () => disc.getEntry(keys.pk),
      Error,
      undefined,
      `closed after ${waitMs} ms`,
    );
  }
});

/** A TCP proxy to `target` that holds each connection `delayMs` before it forwards it. */
function slowProxy(target: string, delayMs: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [host, port] = [target.slice(0, target.lastIndexOf(":")), target.split(":").pop()!];
  const conns = new Set<TcpStream>();
  const piping = new Set<Promise<unknown>>();
  const accepting = (async () => {
    for await (const raw of listener) {
      const inbound = new TcpStream(raw);
      conns.add(inbound);
      const task = (async () => {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        const outbound = new TcpStream(await Deno.connect({ hostname: host, port: Number(port) }));
        conns.add(outbound);
        await pipe(inbound, outbound);
      })().catch(() => inbound.close());
      piping.add(task);
    }
  })();
  return {
    address: `127.0.0.1:${listener.addr.port}`,
    async close() {
      listener.close();
      await accepting;
      for (const conn of conns) conn.close();
      await Promise.allSettled(piping);
    },
  };
}

Deno.test("DmsgClient: a dial that gives up leaves a shared session dial to the others (no backoff)", async () => {
  await using net = await testNetwork();
  const s1 = await net.server();
  // s2 publishes a proxy that holds every connection 400 ms: its session dials stay under way.
  const s2keys = generateKeyPair();
  const s2port = freePort();
  const proxy = slowProxy(`127.0.0.1:${s2port}`, 400);
  try {
    const s2 = await net.server({
      keys: s2keys,
      addr: `127.0.0.1:${s2port}`,
      publicAddress: proxy.address,
    });
    const disc = new DiscoveryClient({ url: net.url });
    const [e1, e2] = [await disc.getEntry(s1.pk), await disc.getEntry(s2.pk)];
    const a = await net.client({ servers: [e1], sessionsCount: 1 });
    const b = await net.client({ servers: [e2], sessionsCount: 1 });
    await Promise.all([a.ready(), b.ready()]);
    const listener = b.listen(7);
    const serving = serveEcho(listener);
    // Two dials to b join one session dial to s2; the first gives up while it is under way.
    const giveUp = new AbortController();
    const first = a.dialStream({ pk: b.pk, port: 7 }, { signal: giveUp.signal });
    const second = a.dialStream({ pk: b.pk, port: 7 });
    await waitFor("both waiting for the session", () => a.stats().dialWaiters === 2);
    giveUp.abort(new Error("first gave up"));
    await assertRejects(() => first, Error, "first gave up");
    const stream = await second;
    const data = new TextEncoder().encode("still dialed");
    assertEquals(await roundTrip(stream, data), data);
    stream.close();
    assertEquals(a.stats().failureBackoff, 0);
    assertEquals(a.stats().dialWaiters, 0);
    // A dial that gives up alone ends the session dial: nothing waits on for the proxy.
    const c = await net.client({ servers: [e1], sessionsCount: 1 });
    await c.ready();
    const alone = new AbortController();
    const lone = c.dialStream({ pk: b.pk, port: 7 }, { signal: alone.signal });
    await waitFor("c dialing", () => c.stats().dialWaiters === 1);
    alone.abort(new Error("gave up alone"));
    await assertRejects(() => lone, Error, "gave up alone");
    await waitFor("c's session dial aborted", () => c.stats().dialingSessions === 0, 300);
    assertEquals(c.sessions().length, 1);
    listener.close();
    await serving;
  } finally {
    await net[Symbol.asyncDispose]();
    await proxy.close();
  }
});
