import { assertEquals } from "@std/assert";
import { ReceiveBuffer } from "../../../mod/yamux/_receive_buffer.ts";
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
