import { assert, assertEquals, assertInstanceOf } from "@std/assert";
import { writeAll } from "../../../mod/conn/mod.ts";
import {
  Flag,
  FrameType,
  GoAwayCode,
  INITIAL_STREAM_WINDOW,
  YamuxProtocolError,
} from "../../../mod/yamux/mod.ts";
import { seededBytes } from "../../_util/prng.ts";
import { eventually, rawPair, sessionPair } from "./_util.ts";

const WINDOW = INITIAL_STREAM_WINDOW;

async function sha256(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data as BufferSource);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("a large transfer read in small pieces arrives intact and never buffers past the window", async () => {
  await using pair = await sessionPair();
  const data = seededBytes(5 * 1024 * 1024, 5);
  const stream = await pair.client.open();
  const writing = writeAll(stream, data).then(() => stream.closeWrite());
  const peer = (await pair.server.accept())!;
  const received = new Uint8Array(data.length);
  const piece = new Uint8Array(1000);
  let off = 0;
  let maxBuffered = 0;
  for (;;) {
    const n = await peer.read(piece);
    if (n === null) break;
    received.set(piece.subarray(0, n), off);
    off += n;
    maxBuffered = Math.max(maxBuffered, peer.bufferedBytes, pair.server.stats().bufferedBytes);
  }
  await writing;
  assertEquals(off, data.length);
  assertEquals(await sha256(received), await sha256(data));
  assert(maxBuffered <= WINDOW, `buffered ${maxBuffered}`);
  stream.close();
  peer.close();
});

Deno.test("a writer of 50 MB to a stream nobody reads is held at the window; memory stays bounded", async () => {
  await using pair = await sessionPair();
  const data = seededBytes(50 * 1024 * 1024, 50);
  const stream = await pair.client.open();
  let written = false;
  const writing = writeAll(stream, data).then(() => {
    written = true;
    return stream.closeWrite();
  });
  const peer = (await pair.server.accept())!;
  // Nobody reads: the writer sends exactly one window and then waits.
  await eventually(() => stream.sendWindow === 0 && peer.bufferedBytes === WINDOW);
  await pair.client.ping(); // a full round trip later, nothing more has moved
  assertEquals(peer.bufferedBytes, WINDOW);
  assertEquals(pair.server.stats().bufferedBytes, WINDOW);
  assertEquals(pair.client.stats().queuedFrames, 0);
  assertEquals(written, false);

  // A slow reader drains it; buffering never exceeds the window on the way.
  const received = new Uint8Array(data.length);
  const piece = new Uint8Array(64 * 1024);
  let off = 0;
  let maxBuffered = 0;
  for (;;) {
    const n = await peer.read(piece);
    if (n === null) break;
    received.set(piece.subarray(0, n), off);
    off += n;
    maxBuffered = Math.max(maxBuffered, pair.server.stats().bufferedBytes);
    assert(pair.client.stats().queuedFrames <= 64);
  }
  await writing;
  assertEquals(off, data.length);
  assert(maxBuffered <= WINDOW, `buffered ${maxBuffered}`);
  assertEquals(await sha256(received), await sha256(data));
  stream.close();
  peer.close();
});

Deno.test("window updates follow Go: none until half the window is read, then the consumed delta", async () => {
  await using pair = await rawPair({ role: "server" });
  await pair.raw.send({ type: FrameType.WindowUpdate, flags: Flag.SYN, streamId: 1 });
  const stream = (await pair.session.accept())!;
  assertEquals((await pair.raw.next())?.flags, Flag.ACK);
  await pair.raw.send({ type: FrameType.Data, streamId: 1 }, new Uint8Array(WINDOW));
  const half = WINDOW / 2;
  const buf = new Uint8Array(half - 1);
  let read = 0;
  while (read < half - 1) read += (await stream.read(buf.subarray(0, half - 1 - read)))!;
  assertEquals(await pair.raw.framesBeforePingAck(), []);
  await stream.read(new Uint8Array(1));
  const frames = await pair.raw.framesBeforePingAck();
  assertEquals(frames.map((f) => [f.type, f.flags, f.streamId, f.length]), [
    [FrameType.WindowUpdate, 0, 1, half],
  ]);
  stream.close();
});

Deno.test("a writer stops at window 0 and resumes on the peer's WindowUpdate", async () => {
  await using pair = await rawPair({ role: "client" });
  const stream = await pair.session.open();
  await pair.raw.next(); // SYN
  await pair.raw.send({ type: FrameType.WindowUpdate, flags: Flag.ACK, streamId: stream.id });
  const data = seededBytes(WINDOW + 100_000, 3);
  const writing = stream.write(data);
  let sent = 0;
  while (sent < WINDOW) {
    const frame = await pair.raw.next();
    assertEquals(frame?.type, FrameType.Data);
    sent += frame!.length;
  }
  assertEquals(sent, WINDOW);
  assertEquals(await pair.raw.framesBeforePingAck(), []); // held at window 0
  await pair.raw.send({ type: FrameType.WindowUpdate, streamId: stream.id, length: 100_000 });
  while (sent < data.length) sent += (await pair.raw.next())!.length;
  assertEquals(await writing, data.length);
  assertEquals(stream.sendWindow, 0);
  stream.close();
});

Deno.test("a peer that sends past the window gets GoAway(protocol error) and the session closes", async () => {
  await using pair = await rawPair({ role: "server" });
  await pair.raw.send({ type: FrameType.WindowUpdate, flags: Flag.SYN, streamId: 1 });
  await pair.raw.send({ type: FrameType.Data, streamId: 1 }, new Uint8Array(WINDOW - 10));
  await pair.raw.send({ type: FrameType.Data, streamId: 1 }, new Uint8Array(11));
  const goAway = await pair.raw.until((f) => f.type === FrameType.GoAway);
  assertEquals(goAway.length, GoAwayCode.ProtocolError);
  const reason = await pair.session.closed;
  assertInstanceOf(reason, YamuxProtocolError);
  assert(reason.message.includes("window"));
});

Deno.test("a data header claiming 4 GiB is refused before anything is allocated", async () => {
  await using pair = await rawPair({ role: "server" });
  await pair.raw.send({ type: FrameType.WindowUpdate, flags: Flag.SYN, streamId: 1 });
  await pair.raw.send({ type: FrameType.Data, streamId: 1, length: 0xffffffff });
  assertInstanceOf(await pair.session.closed, YamuxProtocolError);
});

Deno.test("a larger maxStreamWindowSize is granted in the SYN, as Go does", async () => {
  const max = 1024 * 1024;
  await using pair = await rawPair({ role: "client", maxStreamWindowSize: max });
  const stream = await pair.session.open();
  const syn = await pair.raw.next();
  assertEquals([syn?.type, syn?.flags, syn?.length], [
    FrameType.WindowUpdate,
    Flag.SYN,
    max - WINDOW,
  ]);
  await pair.raw.send(
    { type: FrameType.Data, flags: Flag.ACK, streamId: stream.id },
    new Uint8Array(max),
  );
  assertEquals(await pair.raw.framesBeforePingAck(), []); // a full 1 MiB is within the window
  assertEquals(stream.bufferedBytes, max);
  stream.close();
});
