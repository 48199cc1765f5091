import { assert, assertEquals } from "@std/assert";
import { pooledChunks, ReceiveBuffer } from "../../../mod/yamux/_receive_buffer.ts";
import { seededBytes } from "../../_util/prng.ts";

Deno.test("ReceiveBuffer returns bytes in order across copied, packed and owned chunks", () => {
  const source = seededBytes(2_000_000, 3);
  const random = seededBytes(200_000, 4);
  const buffer = new ReceiveBuffer();
  const out = new Uint8Array(source.length);
  let written = 0, read = 0, r = 0;
  while (read < source.length) {
    const op = random[r++ % random.length];
    if (op < 150 && written < source.length) {
      // Sizes from 1 byte (packing path) to 40 KiB (owned chunks).
      const size = Math.min(source.length - written, op < 100 ? 1 + (op % 7) : op * 270);
      const piece = source.subarray(written, written + size);
      if (op % 3 === 0) buffer.appendOwned(piece.slice());
      else buffer.append(piece);
      written += size;
    } else {
      const want = 1 + random[r++ % random.length] * 97;
      const n = buffer.read(out.subarray(read, Math.min(read + want, out.length)));
      read += n;
    }
    assertEquals(buffer.length, written - read);
  }
  assertEquals(out, source);
  assertEquals(buffer.read(new Uint8Array(4)), 0);
});

Deno.test("ReceiveBuffer.clear drops everything and the buffer stays usable", () => {
  const buffer = new ReceiveBuffer();
  buffer.append(new Uint8Array([1, 2, 3]));
  buffer.appendOwned(new Uint8Array([4, 5]));
  buffer.clear();
  assertEquals(buffer.length, 0);
  buffer.append(new Uint8Array([9]));
  const out = new Uint8Array(4);
  assertEquals(buffer.read(out), 1);
  assertEquals(out[0], 9);
});

Deno.test("ReceiveBuffer recycles its packing chunks through the shared pool, never owned ones", () => {
  const a = new ReceiveBuffer(), b = new ReceiveBuffer();
  const before = pooledChunks();
  // Two packed chunks' worth, drained: both chunks go back to the pool.
  a.append(new Uint8Array(16 * 1024).fill(1), true);
  a.append(new Uint8Array(100).fill(2), true);
  const out = new Uint8Array(32 * 1024);
  assertEquals(a.read(out), 16 * 1024 + 100);
  assertEquals(pooledChunks(), Math.min(before + 2, 16));
  // Another stream packs into a recycled chunk: its bytes are its own, not the old ones.
  b.append(Uint8Array.of(7, 8, 9), true);
  assertEquals(pooledChunks(), Math.min(before + 2, 16) - 1);
  assertEquals(b.read(out), 3);
  assertEquals([...out.subarray(0, 3)], [7, 8, 9]);
  // An owned chunk of the pool's size (here a view of a buffer its owner keeps) stays its
  // owner's: draining or clearing it adds nothing to the pool, and later packing leaves it be.
  const owner = new Uint8Array(16 * 1024).fill(5);
  const pooled = pooledChunks();
  a.appendOwned(owner.subarray(0, 10));
  a.read(out);
  a.appendOwned(owner.subarray(10, 20));
  a.clear();
  assertEquals(pooledChunks(), pooled);
  for (let i = 0; i < 20; i++) b.append(new Uint8Array(16 * 1024).fill(9), true);
  b.clear();
  assert(owner.every((byte) => byte === 5));
  assert(pooledChunks() <= 16);
});
