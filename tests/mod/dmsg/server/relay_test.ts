import { assert, assertEquals } from "@std/assert";
import type { DmsgClient } from "../../../../mod/dmsg/mod.ts";
import { echo, roundTrip, testNetwork, waitFor } from "../_harness.ts";
import { attackSession, pushPastRequest, silentDestination, silentStreams } from "./_attacks.ts";

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
  const { pushed } = await pushPastRequest(pusher, silent.keys.pk, 100, 64 * 1024);
  // The requests reached the destination, which never answers ...
  await waitFor("forwarded", () => silent.held.length === 100);
  // ... and the bytes pushed after them cost the server nothing: every stream was reset.
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
