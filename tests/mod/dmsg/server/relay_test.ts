import { assert, assertEquals, assertRejects } from "@std/assert";
import { generateKeyPair, sha256 } from "../../../../mod/cipher/mod.ts";
import { writeAll } from "../../../../mod/conn/mod.ts";
import { type DmsgClient, signStreamResponse } from "../../../../mod/dmsg/mod.ts";
import { StreamResetError } from "../../../../mod/yamux/mod.ts";
import { echo, roundTrip, testNetwork, waitFor } from "../_harness.ts";
import { attackSession, pushPastRequest, silentDestination, silentStreams } from "./_attacks.ts";
import { craftRequest, rawSession } from "./_raw.ts";

const text = new TextEncoder();

async function echoes(a: DmsgClient, b: DmsgClient, message: string): Promise<void> {
  const stream = await a.dialStream({ pk: b.pk, port: 7 });
  const data = text.encode(message);
  assertEquals(await roundTrip(stream, data), data);
  stream.close();
}

Deno.test("relay: two sessions × 2,048 streams that never send a request leave relaying to others", async () => {
  await using net = await testNetwork();
  const server = await net.server();
  const a = await net.client();
  const b = await net.client();
  await Promise.all([a.ready(), b.ready()]);
  const listener = b.listen(7);
  const echoing = (async () => {
    for await (const stream of listener) echo(stream);
  })();
  await using one = await attackSession(server.address, server.pk);
  await using two = await attackSession(server.address, server.pk);
  const opened = await Promise.all([
    silentStreams(one.session, 2_048),
    silentStreams(two.session, 2_048),
  ]);
  assertEquals(opened.flat().length, 4_096);
  await waitFor("flood taken in", () => server.stats().pendingRelays === 256);
  // Each session holds only its own 128 pending places; the rest were reset at once.
  const stats = server.stats();
  assertEquals([stats.sessionPending, stats.relays], [256, 256]);
  await echoes(a, b, "still relaying");
  listener.close();
  await echoing;
});

Deno.test("relay: bytes pushed past the request toward a silent destination are refused, not buffered", async () => {
  await using net = await testNetwork();
  const server = await net.server();
  await using silent = await silentDestination(server.address, server.pk);
  await using pusher = await attackSession(server.address, server.pk);
  await waitFor("both registered", () => server.sessionCount() === 2);
  const { streams, pushed } = await pushPastRequest(pusher, silent.keys.pk, 100, 64 * 1024);
  // Every pusher is reset; the destination, which never answers, saw at most the requests
  // forwarded before the push was noticed (a stream reset before its request went out is
  // never announced to it) ...
  for (const stream of streams) {
    await assertRejects(() => stream.read(new Uint8Array(1)), StreamResetError);
  }
  assert(silent.held.length <= 100);
  // ... and the bytes pushed after the requests cost the server nothing.
  await waitFor("pushers reset", () => server.stats().pendingRelays === 0);
  assertEquals(server.stats().bufferedBytes, 0);
  assert(pushed <= 100);
  // A dialer that waits for its answer is served as before.
  const a = await net.client();
  const b = await net.client();
  await Promise.all([a.ready(), b.ready()]);
  const listener = b.listen(7);
  const echoing = (async () => {
    for await (const stream of listener) echo(stream);
  })();
  await echoes(a, b, "polite dialer");
  listener.close();
  await echoing;
});

Deno.test("relay: a client's streams to a destination that never reads hold at most its session budget", async () => {
  await using net = await testNetwork();
  const budget = 2 * 1024 * 1024;
  const server = await net.server({ maxBufferedBytesPerSession: budget });
  // The destination answers every stream and then never reads it.
  await using sink = await rawSession(server);
  const sinkListener = sink.endpoint.listen(7);
  const held: unknown[] = [];
  const answering = (async () => {
    for (;;) {
      const stream = await sink.session.accept();
      if (stream === null) return;
      sink.endpoint.serveIncoming(sink.session, stream);
    }
  })();
  const holding = (async () => {
    for await (const stream of sinkListener) held.push(stream);
  })();
  await using source = await rawSession(server);
  await waitFor("both registered", () => server.sessionCount() === 2);
  const chunk = new Uint8Array(512 * 1024);
  const results = await Promise.all(
    Array.from({ length: 20 }, async () => {
      const stream = await source.endpoint.dial(source.session, { pk: sink.keys.pk, port: 7 });
      // Writes stop when the windows on the way are full; a reset ends them.
      const written = writeAll(stream, chunk).then(() => "written", () => "reset");
      return { stream, written };
    }),
  );
  await waitFor("destination holds every stream", () => held.length === 20);
  await waitFor("some streams reset", async () => {
    const states = await Promise.all(
      results.map(({ written }) => Promise.race([written, Promise.resolve("pending")])),
    );
    return states.includes("reset");
  });
  const buffered = server.stats().bufferedBytes;
  assert(buffered <= budget, `${buffered} bytes buffered, budget ${budget}`);
  assert(buffered > 0, "nothing held: the attack did not reach the server");
  for (const { stream } of results) stream.close();
  sinkListener.close();
  await holding;
  await sink.session.close();
  await answering;
});

Deno.test("relay: an accepting response signed by another key reaches the dialer, then both streams are reset", async () => {
  await using net = await testNetwork();
  const server = await net.server();
  await using dialer = await rawSession(server);
  await using destination = await rawSession(server);
  await waitFor("both registered", () => server.sessionCount() === 2);
  const request = craftRequest(dialer.keys, destination.keys.pk);
  const opened = await dialer.session.open();
  await dialer.session.writeObject(opened, request);
  const forwarded = (await destination.session.accept())!;
  assertEquals(new Uint8Array((await destination.session.readObject(forwarded))!), request);
  const forged = signStreamResponse({
    ReqHash: sha256(request),
    Accepted: true,
    ErrCode: 0,
    NoiseMsg: new Uint8Array(48),
  }, generateKeyPair().sk);
  await destination.session.writeObject(forwarded, forged);
  // The server checks the destination's signature while its response travels on (the dialer
  // checks it too): a bad one ends both streams, and nothing is relayed.
  assertEquals(new Uint8Array((await dialer.session.readObject(opened))!), forged);
  await assertRejects(() => opened.read(new Uint8Array(1)), StreamResetError);
  await assertRejects(() => forwarded.read(new Uint8Array(1)), StreamResetError);
  await waitFor("relay released", () => server.stats().relays === 0);
  assertEquals(server.stats().pendingRelays, 0);
});
