import { assertEquals, assertThrows } from "@std/assert";
import {
  decodeHeader,
  encodeHeader,
  Flag,
  FrameType,
  GoAwayCode,
  HEADER_SIZE,
  YamuxProtocolError,
} from "../../../mod/yamux/mod.ts";
import { seededBytes } from "../../_util/prng.ts";

Deno.test("encodeHeader writes version 0, type, flags, stream id and length big-endian", () => {
  const bytes = encodeHeader({
    type: FrameType.WindowUpdate,
    flags: Flag.SYN | Flag.FIN,
    streamId: 0x01020304,
    length: 0xa0b0c0d0,
  });
  assertEquals(
    Array.from(bytes),
    [0, 1, 0x00, 0x05, 0x01, 0x02, 0x03, 0x04, 0xa0, 0xb0, 0xc0, 0xd0],
  );
});

Deno.test("the constants are hashicorp yamux's values", () => {
  assertEquals(HEADER_SIZE, 12);
  assertEquals([FrameType.Data, FrameType.WindowUpdate, FrameType.Ping, FrameType.GoAway], [
    0,
    1,
    2,
    3,
  ]);
  assertEquals([Flag.SYN, Flag.ACK, Flag.FIN, Flag.RST], [1, 2, 4, 8]);
  assertEquals(
    [GoAwayCode.Normal, GoAwayCode.ProtocolError, GoAwayCode.InternalError],
    [0, 1, 2],
  );
});

Deno.test("decodeHeader reads what encodeHeader wrote, at an offset too", () => {
  const header = { type: FrameType.Ping, flags: Flag.ACK, streamId: 0, length: 0xffffffff };
  const buffer = new Uint8Array(20);
  encodeHeader(header, buffer, 5);
  assertEquals(decodeHeader(buffer, 5), header);
  const max = { type: FrameType.Data, flags: 0xffff, streamId: 0xffffffff, length: 7 };
  assertEquals(decodeHeader(encodeHeader(max)), max);
});

Deno.test("decodeHeader rejects a bad version, an unknown type and a short input", () => {
  const good = encodeHeader({ type: FrameType.Data, flags: 0, streamId: 1, length: 0 });
  const badVersion = good.slice();
  badVersion[0] = 1;
  assertThrows(() => decodeHeader(badVersion), YamuxProtocolError, "version");
  const badType = good.slice();
  badType[1] = 4;
  assertThrows(() => decodeHeader(badType), YamuxProtocolError, "type");
  assertThrows(() => decodeHeader(good.subarray(0, 11)), YamuxProtocolError, "short");
  assertThrows(() => decodeHeader(good, 1), YamuxProtocolError, "short");
});

Deno.test("encodeHeader refuses fields outside their ranges", () => {
  assertThrows(
    () => encodeHeader({ type: 0, flags: 0x10000, streamId: 0, length: 0 }),
    RangeError,
  );
  assertThrows(() => encodeHeader({ type: 0, flags: 0, streamId: -1, length: 0 }), RangeError);
  assertThrows(() => encodeHeader({ type: 0, flags: 0, streamId: 0, length: 2 ** 32 }), RangeError);
  assertThrows(
    () => encodeHeader({ type: 0, flags: 0, streamId: 0, length: 0 }, new Uint8Array(12), 1),
    RangeError,
  );
});

Deno.test("decodeHeader fuzz: 200,000 random and mutated headers give a header or YamuxProtocolError", () => {
  const random = seededBytes(200_000 * 13, 99);
  let decoded = 0;
  let rejected = 0;
  for (let i = 0; i < 200_000; i++) {
    let input: Uint8Array;
    if (i % 2 === 0) {
      // Mutated valid header: keep version 0 most of the time so the deeper fields get exercised.
      input = encodeHeader({
        type: (random[i] & 3) as FrameType,
        flags: random[i + 1] * 256 + random[i + 2],
        streamId: (random[i + 3] * 0x1000000 + random[i + 4] * 0x10000 + random[i + 5]) >>> 0,
        length: (random[i + 6] * 0x1000000 + random[i + 7]) >>> 0,
      });
      input[random[i + 8] % 12] ^= 1 << (random[i + 9] & 7);
      if (random[i + 10] < 16) input = input.subarray(0, random[i + 11] % 12);
    } else {
      input = random.subarray(i * 13, i * 13 + (random[i] % 14));
    }
    try {
      const header = decodeHeader(input);
      assertEquals(header.streamId >>> 0, header.streamId);
      assertEquals(header.length >>> 0, header.length);
      assertEquals(header.flags & 0xffff, header.flags);
      decoded++;
    } catch (error) {
      if (!(error instanceof YamuxProtocolError)) throw error;
      rejected++;
    }
  }
  // Both outcomes must be reached, or the generator is not exercising the decoder.
  assertEquals(decoded + rejected, 200_000);
  assertEquals(decoded > 50_000 && rejected > 50_000, true);
});
