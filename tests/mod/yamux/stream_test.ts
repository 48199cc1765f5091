import { assert, assertEquals, assertRejects } from "@std/assert";
import { readFull, writeAll } from "../../../mod/conn/mod.ts";
import {
  Flag,
  FrameType,
  type Stream,
  StreamClosedError,
  StreamResetError,
} from "../../../mod/yamux/mod.ts";
import { seededBytes } from "../../_util/prng.ts";
import { eventually, rawPair, readAllFrom, sessionPair } from "./_util.ts";

const text = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("Stream lifecycle: open, accept, data both ways, FIN to EOF, then both sides forget it", async () => {
  await using pair = await sessionPair();
  const opened = await pair.client.open();
  await writeAll(opened, text("hello"));
  const accepted = (await pair.server.accept())!;
  assertEquals(accepted.id, opened.id);
  const buf = new Uint8Array(16);
  assertEquals(decode(buf.subarray(0, (await accepted.read(buf))!)), "hello");
  await writeAll(accepted, text("world"));
  assertEquals(decode(buf.subarray(0, (await opened.read(buf))!)), "world");

  await opened.closeWrite();
  assertEquals(await accepted.read(buf), null);
  await accepted.closeWrite();
  assertEquals(await opened.read(buf), null);
  await eventually(() => pair.client.numStreams === 0 && pair.server.numStreams === 0);
  opened.close();
  accepted.close();
  assertEquals(pair.client.stats().timers, 0);
  assertEquals(pair.server.stats().timers, 0);
});

Deno.test("closeWrite half-closes: the peer reads EOF and still writes back, both directions", async () => {
  await using pair = await sessionPair();
  for (const opener of ["client", "server"] as const) {
    const [a, b] = opener === "client" ? [pair.client, pair.server] : [pair.server, pair.client];
    const stream = await a.open();
    const request = seededBytes(700_000, 1);
    const writing = (async () => {
      await writeAll(stream, request);
      await stream.closeWrite();
    })();
    const peer = (await b.accept())!;
    const received = await readAllFrom(peer);
    await writing;
    assertEquals(received, request);
    // Our side is half-closed; the peer's answer still arrives, then EOF.
    await writeAll(peer, text(`got ${received.length}`));
    await peer.closeWrite();
    assertEquals(decode(await readAllFrom(stream)), "got 700000");
    await assertRejects(() => stream.write(text("late")), StreamClosedError);
    stream.close();
    peer.close();
  }
  await eventually(() => pair.client.numStreams === 0 && pair.server.numStreams === 0);
});

Deno.test("reset fails the peer's reads and writes with StreamResetError, and ours", async () => {
  await using pair = await sessionPair();
  const stream = await pair.client.open();
  await writeAll(stream, text("x"));
  const peer = (await pair.server.accept())!;
  const pendingRead = peer.read(new Uint8Array(8)).then(() => peer.read(new Uint8Array(8)));
  stream.reset();
  await assertRejects(() => pendingRead, StreamResetError, "by peer");
  await assertRejects(() => peer.write(text("y")), StreamResetError);
  await assertRejects(() => stream.read(new Uint8Array(1)), StreamResetError, "locally");
  await assertRejects(() => stream.write(text("z")), StreamResetError);
  assertEquals(pair.client.numStreams, 0);
  await eventually(() => pair.server.numStreams === 0);
  peer.close();
});

Deno.test("a SYN that carries data is delivered, and the stream is ACKed on accept", async () => {
  await using pair = await rawPair({ role: "server" });
  await pair.raw.send({ type: FrameType.Data, flags: Flag.SYN, streamId: 1 }, text("early"));
  const stream = (await pair.session.accept())!;
  const ack = await pair.raw.next();
  assertEquals([ack?.type, ack?.flags, ack?.streamId, ack?.length], [1, Flag.ACK, 1, 0]);
  const buf = new Uint8Array(16);
  assertEquals(decode(buf.subarray(0, (await stream.read(buf))!)), "early");
  stream.close();
});

Deno.test("close() drops unread data; the stream leaves once the peer FINs", async () => {
  await using pair = await rawPair({ role: "client" });
  const stream = await pair.session.open();
  assertEquals((await pair.raw.next())?.flags, Flag.SYN);
  await pair.raw.send(
    { type: FrameType.Data, flags: Flag.ACK, streamId: stream.id },
    text("unread"),
  );
  await pair.raw.framesBeforePingAck(); // the data has been taken in
  assertEquals(stream.bufferedBytes, 6);
  stream.close();
  assertEquals(stream.bufferedBytes, 0);
  assertEquals(await stream.read(new Uint8Array(4)), null);
  const fin = await pair.raw.next();
  assertEquals([fin?.type, fin?.flags], [FrameType.WindowUpdate, Flag.FIN]);
  // Data after our close is dropped, not buffered.
  await pair.raw.send({ type: FrameType.Data, streamId: stream.id }, text("more"));
  await pair.raw.framesBeforePingAck();
  assertEquals(pair.session.stats().bufferedBytes, 0);
  assertEquals(pair.session.numStreams, 1);
  await pair.raw.send({ type: FrameType.WindowUpdate, flags: Flag.FIN, streamId: stream.id });
  await pair.raw.framesBeforePingAck();
  assertEquals(pair.session.numStreams, 0);
  assertEquals(pair.session.stats().timers, 0);
});

Deno.test("streamCloseTimeout resets a stream whose peer never sends FIN", async () => {
  await using pair = await rawPair({ role: "client", streamCloseTimeout: 30 });
  const stream = await pair.session.open();
  await pair.raw.next(); // SYN
  await pair.raw.send({ type: FrameType.WindowUpdate, flags: Flag.ACK, streamId: stream.id });
  stream.close();
  assertEquals((await pair.raw.next())?.flags, Flag.FIN);
  const rst = await pair.raw.next();
  assertEquals([rst?.type, rst?.flags, rst?.streamId], [
    FrameType.WindowUpdate,
    Flag.RST,
    stream.id,
  ]);
  assertEquals(pair.session.numStreams, 0);
  assertEquals(pair.session.stats().timers, 0);
});

Deno.test("32 concurrent streams each carry their own data both ways", async () => {
  await using pair = await sessionPair();
  const serving = (async () => {
    const tasks: Promise<void>[] = [];
    for (let i = 0; i < 32; i++) {
      const stream = (await pair.server.accept())!;
      tasks.push((async () => {
        const data = await readAllFrom(stream, 3000);
        await writeAll(stream, data.reverse());
        await stream.closeWrite();
        stream.close();
      })());
    }
    await Promise.all(tasks);
  })();
  const results = await Promise.all(Array.from({ length: 32 }, async (_, i) => {
    const stream = await pair.client.open();
    const data = seededBytes(100_000 + i * 1000, i + 1);
    const [, back] = await Promise.all([
      writeAll(stream, data).then(() => stream.closeWrite()),
      readAllFrom(stream),
    ]);
    stream.close();
    return back.reverse().every((byte, j) => byte === data[j]) && back.length === data.length;
  }));
  await serving;
  assertEquals(results, Array(32).fill(true));
  await eventually(() => pair.client.numStreams === 0 && pair.server.numStreams === 0);
});

Deno.test("concurrent writes on one stream are queued, never interleaved", async () => {
  await using pair = await sessionPair();
  const stream = await pair.client.open();
  const parts = Array.from({ length: 6 }, (_, i) => new Uint8Array(300_000).fill(i + 1));
  const writing = Promise.all(parts.map((part) => stream.write(part))).then(() =>
    stream.closeWrite()
  );
  const peer: Stream = (await pair.server.accept())!;
  const received = await readAllFrom(peer, 5000);
  await writing;
  assertEquals(received.length, 6 * 300_000);
  for (let i = 0; i < 6; i++) {
    const slice = received.subarray(i * 300_000, (i + 1) * 300_000);
    assert(slice.every((byte) => byte === i + 1), `part ${i} was interleaved`);
  }
  stream.close();
  peer.close();
});

Deno.test("setReceiveLimit: a peer sending past the limit gets RST, the payload is never kept, the session lives", async () => {
  await using pair = await sessionPair();
  const opened = await pair.client.open();
  await writeAll(opened, text("request"));
  const accepted = (await pair.server.accept())!;
  const buf = new Uint8Array(7);
  assertEquals(decode(buf.subarray(0, (await accepted.read(buf))!)), "request");
  accepted.setReceiveLimit(0);
  // A read in progress may take its bytes straight away: only what would wait counts.
  const reading = accepted.read(new Uint8Array(4));
  await writeAll(opened, text("four"));
  assertEquals(await reading, 4);
  await writeAll(opened, seededBytes(200 * 1024, 3));
  await assertRejects(() => accepted.read(new Uint8Array(1)), StreamResetError);
  await assertRejects(() => readAllFrom(opened), StreamResetError);
  assertEquals(pair.server.stats().bufferedBytes, 0);
  // Bytes already buffered count as soon as the limit is set; Infinity lifts it.
  const second = await pair.client.open();
  await writeAll(second, text("0123456789"));
  const far = (await pair.server.accept())!;
  await eventually(() => far.bufferedBytes === 10);
  far.setReceiveLimit(Infinity);
  far.setReceiveLimit(10);
  assertEquals(far.bufferedBytes, 10);
  far.setReceiveLimit(9);
  await assertRejects(() => far.read(new Uint8Array(1)), StreamResetError);
  assert(!pair.server.isClosed && !pair.client.isClosed);
});

Deno.test("maxBufferedBytes: streams past the session's budget are reset, reading makes room again", async () => {
  await using pair = await sessionPair({ maxBufferedBytes: 300 * 1024 });
  const opened = [await pair.client.open(), await pair.client.open()];
  const first = (await pair.server.accept())!;
  const second = (await pair.server.accept())!;
  await writeAll(opened[0], seededBytes(200 * 1024, 1));
  await eventually(() => first.bufferedBytes === 200 * 1024);
  // The second stream's data would take the session past 300 KiB: that stream is reset.
  await writeAll(opened[1], seededBytes(150 * 1024, 2)).catch(() => {});
  await eventually(() => pair.server.numStreams === 1);
  await assertRejects(() => readAllFrom(second), StreamResetError);
  assertEquals(pair.server.stats().bufferedBytes, 200 * 1024);
  // The first is intact, and once it is read there is room for a third.
  const back = new Uint8Array(200 * 1024);
  await readFull(first, back);
  assertEquals(back, seededBytes(200 * 1024, 1));
  assertEquals(pair.server.stats().bufferedBytes, 0);
  const third = await pair.client.open();
  const far = (await pair.server.accept())!;
  await writeAll(third, seededBytes(250 * 1024, 3));
  await eventually(() => far.bufferedBytes === 250 * 1024);
  // A lower budget applies to what arrives next, not to what is held.
  pair.server.setBufferBudget(1);
  assertEquals(far.bufferedBytes, 250 * 1024);
  await writeAll(third, text("x"));
  await eventually(() => pair.server.numStreams === 1);
  await assertRejects(() => readAllFrom(far), StreamResetError);
  assert(!pair.server.isClosed && !pair.client.isClosed);
});
