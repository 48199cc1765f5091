import { assertEquals, assertRejects } from "@std/assert";
import { concatBytes, readAllLimited } from "../../../mod/conn/mod.ts";

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> & { cancelled: () => boolean } {
  let cancelled = false;
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]);
      else controller.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  return Object.assign(stream, { cancelled: () => cancelled });
}

Deno.test("readAllLimited joins chunks up to the limit", async () => {
  const bytes = await readAllLimited(streamOf([new Uint8Array([1, 2]), new Uint8Array([3])]), {
    limit: 3,
    tooLarge: () => new RangeError("too large"),
  });
  assertEquals(bytes, new Uint8Array([1, 2, 3]));
  assertEquals(
    await readAllLimited(streamOf([]), { limit: 0, tooLarge: () => new Error() }),
    new Uint8Array(0),
  );
});

Deno.test("readAllLimited cancels the stream and throws the caller's error past the limit", async () => {
  const stream = streamOf([new Uint8Array(4), new Uint8Array(4), new Uint8Array(1 << 20)]);
  await assertRejects(
    () => readAllLimited(stream, { limit: 6, tooLarge: () => new RangeError("over 6") }),
    RangeError,
    "over 6",
  );
  assertEquals(stream.cancelled(), true);
});

Deno.test("concatBytes joins parts, with or without a known total", () => {
  const parts = [new Uint8Array([1]), new Uint8Array([]), new Uint8Array([2, 3])];
  assertEquals(concatBytes(parts), new Uint8Array([1, 2, 3]));
  assertEquals(concatBytes(parts, 3), new Uint8Array([1, 2, 3]));
  const only = new Uint8Array([9]);
  const joined = concatBytes([only]);
  assertEquals(joined, only);
  joined[0] = 1;
  assertEquals(only[0], 9, "always a new array");
});
