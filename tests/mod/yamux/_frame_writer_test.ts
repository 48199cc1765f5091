import { assert, assertEquals, assertInstanceOf } from "@std/assert";
import { FrameWriter } from "../../../mod/yamux/_frame_writer.ts";
import { writeWatchdog } from "../../../mod/yamux/_write_watchdog.ts";
import { decodeHeader, FrameType, HEADER_SIZE, YamuxTimeoutError } from "../../../mod/yamux/mod.ts";
import type { ByteStream } from "../../../mod/conn/mod.ts";

/** A connection that accepts every write at once and keeps the bytes. */
function collector(): ByteStream & { bytes(): Uint8Array } {
  const chunks: Uint8Array[] = [];
  return {
    read: () => new Promise(() => {}),
    // Each write completes on a later macrotask, like a socket, so frames queue up meanwhile.
    write: (p) => {
      chunks.push(p.slice());
      return new Promise((resolve) => setTimeout(() => resolve(p.length), 0));
    },
    close: () => {},
    bytes: () => {
      const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let off = 0;
      for (const c of chunks) out.set(c, (off += c.length) - c.length);
      return out;
    },
  };
}

Deno.test("FrameWriter sends a frame from a writer that was waiting for room in the queue", async () => {
  const conn = collector();
  const writer = new FrameWriter(conn, { capacity: 1, writeTimeout: 10_000, onFailure: () => {} });
  // Bodies too large to copy. The first is in flight, the second fills the queue and the third
  // waits for room. Room is granted as the second batch completes, and the waiter queues its
  // frame while the writer loop is winding down: that frame must still go out (it used to wait
  // for the next unrelated frame, such as the 30 s keepalive, so this test hung).
  const body = new Uint8Array(64 * 1024);
  const frame = (streamId: number) => ({
    type: FrameType.Data,
    flags: 0,
    streamId,
    length: body.length,
    body,
  });
  const writes = [writer.write(frame(1)), writer.write(frame(3)), writer.write(frame(5))];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    Promise.all(writes).then(() => "written"),
    new Promise((resolve) => timer = setTimeout(resolve, 5_000, "stuck")),
  ]);
  clearTimeout(timer);
  assertEquals(outcome, "written");
  const bytes = conn.bytes();
  assertEquals(bytes.length, 3 * (HEADER_SIZE + body.length));
  const last = decodeHeader(bytes.subarray(2 * (HEADER_SIZE + body.length)));
  assertEquals([last.type, last.streamId, last.length], [FrameType.Data, 5, body.length]);
  writer.close(new Error("done"));
});

Deno.test("FrameWriter packs a pulled frame with what its source holds when it is packed", async () => {
  const conn = collector();
  const writer = new FrameWriter(conn, { capacity: 64, writeTimeout: 10_000, onFailure: () => {} });
  let held = 0;
  const written: number[] = [];
  const source = {
    flags: 0,
    take(out: Uint8Array, offset: number, max: number) {
      const n = Math.min(held, max);
      out.fill(0x61, offset, offset + n);
      held -= n;
      return n;
    },
    written: (n: number) => written.push(n),
    failed: () => written.push(-1),
  };
  // The first frame goes out at once; bytes that arrive while it is being written gather and
  // leave as one frame (the writer may have room for part of them: the rest waits its turn).
  writer.write({ type: FrameType.WindowUpdate, flags: 0, streamId: 1, length: 5 });
  held = 3000;
  writer.pull(7, source);
  held += 4000; // arrives before the writer packs the pulled frame
  await writer.idle();
  assertEquals(written, [7000]);
  // Nothing to send: no frame at all, and the source still hears of it (0 bytes).
  writer.pull(7, source);
  await writer.idle();
  assertEquals(written, [7000, 0]);
  const bytes = conn.bytes();
  assertEquals(bytes.length, 2 * HEADER_SIZE + 7000);
  const data = decodeHeader(bytes.subarray(HEADER_SIZE));
  assertEquals([data.type, data.streamId, data.length], [FrameType.Data, 7, 7000]);
  // Once the writer is closed a pulled frame fails instead.
  writer.close(new Error("closed"));
  writer.pull(7, source);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertEquals(written, [7000, 0, -1]);
});

Deno.test("FrameWriter fails with a write timeout when a connection write never completes", async () => {
  const conn: ByteStream = {
    read: () => new Promise(() => {}),
    write: () => new Promise(() => {}), // a peer that stopped reading, its buffers full
    close: () => {},
  };
  let failure: Error | undefined;
  const writer = new FrameWriter(conn, {
    capacity: 64,
    writeTimeout: 30,
    onFailure: (reason) => failure = reason,
  });
  const started = performance.now();
  writer.post(FrameType.Ping, 0, 0, 1);
  await writer.idle();
  assertInstanceOf(failure, YamuxTimeoutError);
  assertEquals(failure.kind, "write");
  assert(performance.now() - started >= 25);
  // The shared watchdog forgot the closed writer; with no other session its timer is cleared.
  assertEquals([writeWatchdog.size, writeWatchdog.armed], [0, false]);
});

Deno.test("FrameWriter leaves the shared watchdog once closed after writes that completed", async () => {
  const conn = collector();
  const writer = new FrameWriter(conn, { capacity: 64, writeTimeout: 10_000, onFailure: () => {} });
  for (let i = 0; i < 10; i++) writer.post(FrameType.Ping, 0, 0, i);
  await writer.idle();
  assert(writeWatchdog.armed);
  writer.close(new Error("done"));
  assertEquals([writeWatchdog.size, writeWatchdog.armed], [0, false]);
});
