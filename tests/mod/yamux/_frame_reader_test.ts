import { assertEquals } from "@std/assert";
import type { ByteStream } from "../../../mod/conn/mod.ts";
import { FrameReader } from "../../../mod/yamux/_frame_reader.ts";
import { Prng, seededBytes } from "../../_util/prng.ts";

/** A connection that hands out `source` in pieces of the sizes `sizes` asks for. */
function pieces(source: Uint8Array, size: () => number): ByteStream {
  let offset = 0;
  return {
    read(p: Uint8Array) {
      if (offset === source.length) return Promise.resolve(null);
      const n = Math.min(p.length, size(), source.length - offset);
      p.set(source.subarray(offset, offset + n));
      offset += n;
      return Promise.resolve(n);
    },
    write: (p: Uint8Array) => Promise.resolve(p.length),
    close() {},
  };
}

Deno.test("FrameReader returns the bytes in order whatever the read and fill sizes", async () => {
  for (const seed of [1, 2, 3]) {
    const prng = new Prng(seed);
    const source = seededBytes(3_000_000, seed);
    // Mostly small reads with bulk runs in between, so the buffer shrinks and grows often.
    let bulk = 0;
    const reader = new FrameReader(pieces(source, () => {
      if (bulk > 0) return bulk--, 70_000;
      if (prng.next() < 0.05) bulk = 1 + prng.int(20);
      return 1 + prng.int(600);
    }));
    const out = new Uint8Array(source.length);
    let got = 0;
    while (got < source.length) {
      const n = Math.min(1 + prng.int(reader.capacity), source.length - got);
      const mode = prng.int(3);
      if (mode === 0) {
        assertEquals(await reader.fill(n), true);
        out.set(reader.take(n), got);
      } else if (mode === 1) {
        await reader.readInto(out.subarray(got, got + n));
      } else {
        await reader.skip(n);
        out.set(source.subarray(got, got + n), got);
      }
      got += n;
    }
    assertEquals(out, source);
    assertEquals(await reader.fill(1), false);
  }
});

Deno.test("FrameReader grows for bulk data and drops back to a small buffer when quiet", async () => {
  const source = seededBytes(1_000_000, 9);
  let size = 1 << 20;
  const reader = new FrameReader(pieces(source, () => size));
  const idle = reader.buffer.length;
  assertEquals(idle <= 1024, true);
  for (let i = 0; i < 20; i++) {
    await reader.fill(reader.capacity);
    reader.take(reader.capacity);
  }
  const large = reader.buffer.length;
  assertEquals(large > reader.capacity, true);
  reader.take(reader.buffered);
  // A lone small read in a bulk flow (a Go peer's frame header on its own) keeps the buffer.
  size = 12;
  await reader.fill(12);
  reader.take(12);
  size = 1 << 20;
  await reader.fill(12); // the next header, with its bulk behind it
  assertEquals(reader.buffer.length, large);
  reader.take(reader.buffered);
  // Quiet: 12-byte frames (pings). The first small reads still land in the large buffer.
  size = 12;
  for (let i = 0; i < 3; i++) {
    await reader.fill(12);
    reader.take(12);
  }
  assertEquals(reader.buffer.length, idle);
});
