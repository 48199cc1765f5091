import { assert, assertEquals, assertInstanceOf, assertRejects, assertThrows } from "@std/assert";
import { writeAll } from "../../../mod/conn/mod.ts";
import {
  Flag,
  FrameType,
  GoAwayCode,
  RemoteGoAwayError,
  Session,
  SessionClosedError,
  type SessionOptions,
  type Stream,
  StreamResetError,
  YamuxProtocolError,
  YamuxTimeoutError,
} from "../../../mod/yamux/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { tcpPair } from "../../_util/tcp_pair.ts";
import { rawPair, readAllFrom, sessionPair } from "./_util.ts";

const text = (s: string) => new TextEncoder().encode(s);

function assertAllZero(session: Session): void {
  assertEquals(session.stats(), {
    streams: 0,
    acceptQueue: 0,
    inflightOpens: 0,
    pendingPings: 0,
    bufferedBytes: 0,
    queuedFrames: 0,
    timers: 0,
  });
}

Deno.test("Session opens odd stream ids as client and even ids as server", async () => {
  await using pair = await sessionPair();
  const ids = [
    (await pair.client.open()).id,
    (await pair.client.open()).id,
    (await pair.server.open()).id,
    (await pair.server.open()).id,
  ];
  assertEquals(ids, [1, 3, 2, 4]);
  assertEquals((await pair.server.accept())?.id, 1);
  assertEquals((await pair.client.accept())?.id, 2);
});

Deno.test("Session.ping gets an ACK with its opaque value; a peer's ping is answered with ACK", async () => {
  await using pair = await rawPair({ role: "client" });
  const rtt = pair.session.ping();
  const ping = await pair.raw.next();
  assertEquals([ping?.type, ping?.flags, ping?.streamId], [FrameType.Ping, Flag.SYN, 0]);
  await pair.raw.send({ type: FrameType.Ping, flags: Flag.ACK, length: ping!.length });
  assert((await rtt) >= 0);
  assertEquals(pair.session.stats().pendingPings, 0);

  await pair.raw.send({ type: FrameType.Ping, flags: Flag.SYN, length: 0xdeadbeef });
  const answer = await pair.raw.next();
  assertEquals([answer?.type, answer?.flags, answer?.length], [
    FrameType.Ping,
    Flag.ACK,
    0xdeadbeef,
  ]);
});

Deno.test("keepalive pings the peer and closes the session once a ping goes unanswered", async () => {
  await using pair = await rawPair({
    role: "server",
    enableKeepAlive: true,
    keepAliveInterval: 10,
    connectionWriteTimeout: 50,
  });
  const first = await pair.raw.next();
  assertEquals([first?.type, first?.flags], [FrameType.Ping, Flag.SYN]);
  await pair.raw.send({ type: FrameType.Ping, flags: Flag.ACK, length: first!.length });
  const second = await pair.raw.next(); // the next keepalive, which we leave unanswered
  assertEquals([second?.type, second?.flags], [FrameType.Ping, Flag.SYN]);
  const reason = await pair.session.closed;
  assertInstanceOf(reason, YamuxTimeoutError);
  assertEquals(reason.kind, "keepalive");
  assertAllZero(pair.session);
});

Deno.test("an opened stream that is never ACKed closes the session after streamOpenTimeout", async () => {
  const logger = captureLogger();
  await using pair = await rawPair({ role: "client", streamOpenTimeout: 20, logger });
  const stream = await pair.session.open();
  assertEquals((await pair.raw.next())?.flags, Flag.SYN);
  const reason = await pair.session.closed;
  assertInstanceOf(reason, YamuxTimeoutError);
  assertEquals(reason.kind, "open");
  await assertRejects(() => stream.write(text("x")), SessionClosedError);
  assert(logger.lines.some((line) => line.includes("not acknowledged")));
  assertAllZero(pair.session);
});

Deno.test("an ACKed stream does not trip streamOpenTimeout", async () => {
  // 250 ms, not less: on a loaded machine (the full suite on 2 cores) an ACK took over 20 ms.
  await using pair = await sessionPair({ streamOpenTimeout: 250 });
  const stream = await pair.client.open();
  await pair.server.accept();
  await pair.client.ping(); // the ACK has arrived by the time the ping answer does
  assertEquals(pair.client.stats().inflightOpens, 0);
  assertEquals(pair.client.stats().timers, 0);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assertEquals(pair.client.isClosed, false);
  stream.close();
});

Deno.test("streams beyond acceptBacklog are reset; the accepted ones are ACKed", async () => {
  const logger = captureLogger();
  await using pair = await rawPair({ role: "server", acceptBacklog: 2, logger });
  for (const id of [1, 3, 5]) {
    await pair.raw.send({ type: FrameType.WindowUpdate, flags: Flag.SYN, streamId: id });
  }
  const rst = await pair.raw.next();
  assertEquals([rst?.type, rst?.flags, rst?.streamId], [FrameType.WindowUpdate, Flag.RST, 5]);
  assert(logger.lines.some((line) => line.includes("backlog")));
  assertEquals(pair.session.stats().acceptQueue, 2);
  assertEquals((await pair.session.accept())?.id, 1);
  assertEquals((await pair.session.accept())?.id, 3);
  const acks = [await pair.raw.next(), await pair.raw.next()];
  assertEquals(acks.map((f) => [f?.flags, f?.streamId]), [[Flag.ACK, 1], [Flag.ACK, 3]]);
});

Deno.test("the opener of a stream refused for a full backlog gets StreamResetError", async () => {
  const [a, b] = await tcpPair();
  const client = new Session(a, { role: "client", enableKeepAlive: false });
  const server = new Session(b, { role: "server", enableKeepAlive: false, acceptBacklog: 1 });
  try {
    const kept = await client.open();
    const refused = await client.open();
    await writeAll(refused, text("anyone?"));
    await assertRejects(() => refused.read(new Uint8Array(8)), StreamResetError, "by peer");
    await assertRejects(() => refused.write(text("x")), StreamResetError);
    assertEquals((await server.accept())?.id, kept.id);
  } finally {
    await Promise.all([client.close(), server.close()]);
  }
});

Deno.test("open() waits while acceptBacklog opens are un-ACKed", async () => {
  await using pair = await rawPair({ role: "client", acceptBacklog: 1 });
  const first = await pair.session.open();
  let secondOpened = false;
  const second = pair.session.open().then((stream) => {
    secondOpened = true;
    return stream;
  });
  assertEquals((await pair.raw.next())?.streamId, 1);
  assertEquals(await pair.raw.framesBeforePingAck(), []); // no second SYN yet
  assertEquals(secondOpened, false);
  await pair.raw.send({ type: FrameType.WindowUpdate, flags: Flag.ACK, streamId: first.id });
  assertEquals((await second).id, 3);
  assertEquals((await pair.raw.next())?.flags, Flag.SYN);
});

Deno.test("frames for unknown streams are dropped (payload skipped) and the session goes on", async () => {
  await using pair = await rawPair({ role: "server" });
  await pair.raw.send({ type: FrameType.Data, streamId: 99 }, new Uint8Array(70_000).fill(7));
  await pair.raw.send({ type: FrameType.WindowUpdate, streamId: 77, length: 5 });
  await pair.raw.send({ type: FrameType.Data, flags: Flag.FIN, streamId: 55 });
  assertEquals(await pair.raw.framesBeforePingAck(), []);
  await pair.raw.send({ type: FrameType.Data, flags: Flag.SYN, streamId: 1 }, text("ok"));
  const stream = (await pair.session.accept())!;
  assertEquals(await stream.read(new Uint8Array(8)), 2);
  assertEquals(pair.session.isClosed, false);
});

for (
  const [name, frame] of [
    ["a bad version", new Uint8Array([1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0])],
    ["an unknown type", new Uint8Array([0, 9, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0])],
  ] as const
) {
  Deno.test(`${name} gets GoAway(protocol error) and closes the session`, async () => {
    await using pair = await rawPair({ role: "server" });
    await pair.raw.sendBytes(frame);
    const goAway = await pair.raw.next();
    assertEquals([goAway?.type, goAway?.length], [FrameType.GoAway, GoAwayCode.ProtocolError]);
    assertEquals(await pair.raw.next(), null);
    assertInstanceOf(await pair.session.closed, YamuxProtocolError);
  });
}

Deno.test("a duplicate SYN and a second FIN are protocol errors", async () => {
  for (const second of [Flag.SYN, Flag.FIN]) {
    await using pair = await rawPair({ role: "server" });
    await pair.raw.send({ type: FrameType.WindowUpdate, flags: Flag.SYN | Flag.FIN, streamId: 1 });
    await pair.raw.send({ type: FrameType.WindowUpdate, flags: second, streamId: 1 });
    const goAway = await pair.raw.until((f) => f.type === FrameType.GoAway);
    assertEquals(goAway.length, GoAwayCode.ProtocolError);
    const reason = await pair.session.closed;
    assertInstanceOf(reason, YamuxProtocolError);
  }
});

Deno.test("goAway() resets new incoming streams; the peer's open() is refused", async () => {
  await using pair = await sessionPair();
  await pair.server.goAway();
  await pair.client.ping(); // the GoAway is in before the ping answer
  await assertRejects(() => pair.client.open(), RemoteGoAwayError);

  await using raw = await rawPair({ role: "server" });
  await raw.session.goAway();
  assertEquals((await raw.raw.next())?.type, FrameType.GoAway);
  await raw.raw.send({ type: FrameType.WindowUpdate, flags: Flag.SYN, streamId: 1 });
  const rst = await raw.raw.next();
  assertEquals([rst?.flags, rst?.streamId], [Flag.RST, 1]);
  assertEquals(raw.session.stats().acceptQueue, 0);
});

Deno.test("GoAway with an error code ends the session with RemoteGoAwayError", async () => {
  await using pair = await rawPair({ role: "client" });
  const accepting = pair.session.accept();
  await pair.raw.send({ type: FrameType.GoAway, length: GoAwayCode.InternalError });
  const reason = await pair.session.closed;
  assertInstanceOf(reason, RemoteGoAwayError);
  assertEquals(reason.code, GoAwayCode.InternalError);
  assertEquals(await accepting, null);
});

Deno.test("close() flushes queued frames, then sends GoAway(normal) and closes the connection", async () => {
  await using pair = await rawPair({ role: "client" });
  const stream = await pair.session.open();
  const writing = stream.write(text("last words"));
  stream.close();
  await pair.session.close();
  await writing;
  const frames = [];
  for (let frame = await pair.raw.next(); frame; frame = await pair.raw.next()) frames.push(frame);
  assertEquals(
    frames.map((f) => [f.type, f.flags, f.length]),
    [
      [FrameType.WindowUpdate, Flag.SYN, 0],
      [FrameType.Data, 0, 10],
      [FrameType.WindowUpdate, Flag.FIN, 0],
      [FrameType.GoAway, 0, GoAwayCode.Normal],
    ],
  );
  assertEquals(await pair.session.closed, undefined);
  assertAllZero(pair.session);
});

Deno.test("closing a session ends every stream, accept, open and ping, and releases everything", async () => {
  const [a, b] = await tcpPair();
  const client = new Session(a, { role: "client" }); // keepalive on: its timer must go too
  const server = new Session(b, { role: "server", streamCloseTimeout: 60_000 });
  const streams: Stream[] = [];
  for (let i = 0; i < 20; i++) {
    const stream = await client.open();
    await writeAll(stream, text(`stream ${i}`));
    streams.push(stream);
  }
  const accepted = [(await server.accept())!, (await server.accept())!];
  // A writer held at window 0 (nobody reads stream 2 on the server) fails with the session.
  const blocked = accepted[1];
  const held = streams[1].write(new Uint8Array(400_000)).then(() => "written", (error) => error);
  while (streams[1].sendWindow > 0 || blocked.bufferedBytes < 100) {
    await client.ping();
  }
  await accepted[0].closeWrite(); // a close timer runs on the server
  // Stream 1 got the server's FIN and ends cleanly; the others end with the session.
  const reads = streams.slice(1).map((stream) =>
    readAllFrom(stream).then(() => "no error", (error) => error)
  );
  const finished = readAllFrom(streams[0]);
  await client.ping();
  await client.close();
  assertEquals(await finished, new Uint8Array(0));
  assertInstanceOf(await held, SessionClosedError);
  for (const read of reads) assertInstanceOf(await read, SessionClosedError);
  await assertRejects(() => client.open(), SessionClosedError);
  await assertRejects(() => client.ping(), SessionClosedError);
  assertInstanceOf(await server.closed, SessionClosedError);
  // Streams still in the backlog are dropped with the session; accept reports the end.
  assertEquals(await server.accept(), null);
  assertAllZero(client);
  assertAllZero(server);
  await server.close(); // idempotent
});

Deno.test("1,000 open/close cycles leave no stream, timer or map entry behind", async () => {
  await using pair = await sessionPair({ streamOpenTimeout: 20_000, streamCloseTimeout: 30_000 });
  const serving = (async () => {
    for (;;) {
      const stream = await pair.server.accept();
      if (!stream) return;
      const data = await readAllFrom(stream, 64);
      await writeAll(stream, data);
      stream.close();
    }
  })();
  for (let i = 0; i < 1000; i++) {
    const stream = await pair.client.open();
    await writeAll(stream, text(`cycle ${i}`));
    await stream.closeWrite();
    assertEquals(new TextDecoder().decode(await readAllFrom(stream, 64)), `cycle ${i}`);
    stream.close();
  }
  await pair.client.ping();
  await pair.server.ping();
  assertAllZero(pair.client);
  assertAllZero(pair.server);
  await pair.client.close();
  await serving;
});

Deno.test("a lazy open sends its SYN on the first data frame, in the same connection write", async () => {
  const [a, b] = await tcpPair();
  const writes: Uint8Array[] = [];
  const counting = {
    read: (p: Uint8Array) => a.read(p),
    write: (p: Uint8Array) => {
      writes.push(p.slice());
      return a.write(p);
    },
    close: () => a.close(),
  };
  const client = new Session(counting, { role: "client", enableKeepAlive: false });
  const server = new Session(b, { role: "server", enableKeepAlive: false });
  try {
    const stream = await client.open({ lazy: true });
    assertEquals(writes.length, 0);
    await writeAll(stream, text("request"));
    const accepted = (await server.accept())!;
    const got = new Uint8Array(7);
    assertEquals(await accepted.read(got), 7);
    assertEquals(new TextDecoder().decode(got), "request");
    assertEquals(writes.length, 1);
    // One write: the data frame alone, flagged SYN (no separate window update).
    assertEquals([writes[0][1], (writes[0][2] << 8) | writes[0][3], writes[0].length], [
      FrameType.Data,
      Flag.SYN,
      12 + 7,
    ]);
    await writeAll(accepted, text("answer"));
    assertEquals(await stream.read(got), 6);
    assertEquals(client.stats().inflightOpens, 0);
    stream.close();
    accepted.close();
    await client.ping();
    assertAllZero(client);
    assertAllZero(server);
  } finally {
    await Promise.all([client.close(), server.close()]);
  }
});

Deno.test("a lazy stream closed unwritten sends SYN|FIN; reset unwritten sends nothing", async () => {
  await using pair = await rawPair({ role: "client" });
  const closed = await pair.session.open({ lazy: true });
  closed.close();
  const fin = await pair.raw.next();
  assertEquals([fin?.type, fin?.flags, fin?.streamId], [
    FrameType.WindowUpdate,
    Flag.SYN | Flag.FIN,
    closed.id,
  ]);
  await pair.raw.send({ type: FrameType.WindowUpdate, flags: Flag.ACK | Flag.FIN, streamId: 1 });
  const reset = await pair.session.open({ lazy: true });
  reset.reset();
  assertEquals(await pair.raw.framesBeforePingAck(), []);
  assertAllZero(pair.session);
});

Deno.test("a lazy accept sends its ACK on the answer, not before; reads alone do not send it", async () => {
  await using pair = await rawPair({ role: "server" });
  await pair.raw.send({ type: FrameType.Data, flags: Flag.SYN, streamId: 1 }, text("request"));
  const stream = (await pair.session.accept({ lazy: true }))!;
  const got = new Uint8Array(7);
  assertEquals(await stream.read(got), 7);
  assertEquals(await pair.raw.framesBeforePingAck(), []);
  await writeAll(stream, text("answer"));
  const answer = await pair.raw.next();
  assertEquals([answer?.type, answer?.flags, answer?.streamId], [FrameType.Data, Flag.ACK, 1]);
  assertEquals(new TextDecoder().decode(answer?.body), "answer");
  // One waiting in accept() before the stream arrives is lazy too; its FIN carries the ACK.
  const waiting = pair.session.accept({ lazy: true });
  await pair.raw.send({ type: FrameType.Data, flags: Flag.SYN, streamId: 3 }, text("x"));
  const refused = (await waiting)!;
  refused.close();
  const fin = await pair.raw.next();
  assertEquals([fin?.flags, fin?.streamId], [Flag.ACK | Flag.FIN, 3]);
  stream.close();
  await pair.raw.send({ type: FrameType.WindowUpdate, flags: Flag.FIN, streamId: 1 });
  await pair.raw.send({ type: FrameType.WindowUpdate, flags: Flag.FIN, streamId: 3 });
  await pair.raw.framesBeforePingAck();
  assertAllZero(pair.session);
});

Deno.test("Session refuses settings Go would refuse", async () => {
  const [a, b] = await tcpPair();
  try {
    for (
      const bad of [
        { role: "peer" },
        { role: "client", acceptBacklog: 0 },
        { role: "client", maxStreamWindowSize: 1024 },
        { role: "client", keepAliveInterval: 0 },
        { role: "client", streamOpenTimeout: -1 },
      ]
    ) {
      assertThrows(() => new Session(a, bad as SessionOptions), RangeError);
    }
  } finally {
    a.close();
    b.close();
  }
});
