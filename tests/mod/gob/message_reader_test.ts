import { assertEquals, assertRejects } from "@std/assert";
import { writeAll } from "../../../mod/conn/mod.ts";
import { encodeGob, go, GobDecoder, GobError, GobMessageReader } from "../../../mod/gob/mod.ts";
import { tcpPair } from "../../_util/tcp_pair.ts";

Deno.test("GobMessageReader splits a TCP stream into messages, large ones included", async () => {
  const [a, b] = await tcpPair();
  const big = new Uint8Array(100_000).map((_, i) => i % 251);
  const values = [new Uint8Array([1, 2, 3]), big, new Uint8Array(0), big.subarray(0, 200)];
  const bytes = values.map((v) => encodeGob(go.bytes, v));
  const writing = (async () => {
    // Written in odd pieces so messages straddle reads.
    const all = Uint8Array.from(bytes.flatMap((x) => [...x]));
    for (let i = 0; i < all.length; i += 7777) await writeAll(a, all.subarray(i, i + 7777));
    a.close();
  })();
  const reader = new GobMessageReader(b, { initialBufferSize: 64 });
  const decoder = new GobDecoder();
  for (const v of values) {
    const pending = await reader.nextValue(decoder);
    assertEquals(decoder.decodeValue(go.bytes, pending!), v);
  }
  assertEquals(await reader.next(), null);
  await writing;
  b.close();
});

Deno.test("GobMessageReader: end inside a message is eof, an oversize length is refused", async () => {
  const [a, b] = await tcpPair();
  await writeAll(a, Uint8Array.from([0x05, 1, 2]));
  a.close();
  const e = await assertRejects(() => new GobMessageReader(b).next(), GobError);
  assertEquals(e.code, "eof");
  b.close();

  const [c, d] = await tcpPair();
  // Claims 2^40 bytes; only the 6-byte prefix is ever read.
  await writeAll(c, Uint8Array.from([0xfb, 0x01, 0x00, 0x00, 0x00, 0x00]));
  const limit = await assertRejects(
    () => new GobMessageReader(d, { maxMessageSize: 1 << 20 }).next(),
    GobError,
  );
  assertEquals(limit.code, "limit");
  c.close();
  d.close();
});
