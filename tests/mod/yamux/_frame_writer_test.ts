import { assertEquals } from "@std/assert";
import { FrameWriter } from "../../../mod/yamux/_frame_writer.ts";
import { decodeHeader, FrameType, HEADER_SIZE } from "../../../mod/yamux/mod.ts";
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
