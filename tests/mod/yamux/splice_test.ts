import { assert, assertEquals } from "@std/assert";
import { writeAll } from "../../../mod/conn/mod.ts";
import { type Session, splice, type Stream, StreamResetError } from "../../../mod/yamux/mod.ts";
import { seededBytes } from "../../_util/prng.ts";
import { eventually, type PairOptions, readAllFrom, sessionPair } from "./_util.ts";

// A relay between two sessions, as a dmsg server has: A opens a stream on the first session,
// the relay accepts it and opens one to B on the second, and splices the two.
async function relayed(options: PairOptions = {}) {
  const left = await sessionPair(options);
  const right = await sessionPair(options);
  const a = await left.client.open();
  await writeAll(a, Uint8Array.of(1)); // announces the stream
  const relayA = (await left.server.accept())!;
  const one = new Uint8Array(1);
  assertEquals(await relayA.read(one), 1);
  const relayB = await right.server.open();
  await writeAll(relayB, Uint8Array.of(2));
  const b = (await right.client.accept())!;
  assertEquals(await b.read(one), 1);
  return {
    a,
    b,
    relayA,
    relayB,
    relaySessions: [left.server, right.server] as Session[],
    left,
    right,
    async [Symbol.asyncDispose]() {
      await left[Symbol.asyncDispose]();
      await right[Symbol.asyncDispose]();
    },
  };
}

async function writeInPieces(stream: Stream, data: Uint8Array, seed: number): Promise<void> {
  const sizes = seededBytes(4096, seed);
  let i = 0;
  for (let off = 0; off < data.length; i++) {
    // 1 to ~5,000 bytes a write: many small frames, as Go's Noise layer sends.
    const n = Math.min(data.length - off, 1 + sizes[i % sizes.length] * 20);
    await writeAll(stream, data.subarray(off, off + n));
    off += n;
  }
}

Deno.test("splice relays bytes both ways in order, half-closes, then releases both streams", async () => {
  await using r = await relayed();
  const relaying = splice(r.relayA, r.relayB);
  const up = seededBytes(3_000_000, 11);
  const down = seededBytes(1_200_000, 12);
  const sending = (async () => {
    await writeInPieces(r.a, up, 13);
    await r.a.closeWrite();
  })();
  const received = await readAllFrom(r.b);
  await sending;
  assertEquals(received.length, up.length);
  assertEquals(received, up);
  // B's side is still open after A's half-close: its answer goes back, then EOF.
  const answering = (async () => {
    await writeInPieces(r.b, down, 14);
    await r.b.closeWrite();
  })();
  assertEquals(await readAllFrom(r.a), down);
  await answering;
  assertEquals(await relaying, { aToB: up.length, bToA: down.length });
  r.a.close();
  r.b.close();
  await eventually(() =>
    [r.left.client, r.left.server, r.right.client, r.right.server].every((s) =>
      s.numStreams === 0 && s.stats().timers === 0 && s.stats().bufferedBytes === 0
    )
  );
});

Deno.test("splice moves bytes that arrived before it, and a FIN that came with them", async () => {
  await using r = await relayed();
  const early = seededBytes(100_000, 21);
  await writeAll(r.a, early);
  await r.a.closeWrite();
  await eventually(() => r.relayA.bufferedBytes === early.length);
  const relaying = splice(r.relayA, r.relayB);
  assertEquals(await readAllFrom(r.b), early);
  await r.b.closeWrite();
  assertEquals((await relaying).aToB, early.length);
  r.a.close();
  r.b.close();
  await eventually(() => r.relaySessions.every((s) => s.numStreams === 0));
});

Deno.test("splice keeps backpressure: a reader that stops stalls the writer, bounded by the window", async () => {
  await using r = await relayed();
  const relaying = splice(r.relayA, r.relayB);
  const data = seededBytes(4_000_000, 31);
  let sent = 0;
  const sending = (async () => {
    for (let off = 0; off < data.length; off += 8192) {
      await writeAll(r.a, data.subarray(off, off + 8192));
      sent = off + 8192;
    }
    await r.a.closeWrite();
  })();
  // B reads nothing: A may fill its window to the relay and the relay's window to B, no more.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const window = 256 * 1024;
  assert(sent <= 2 * window + 64 * 1024, `A sent ${sent} bytes with nobody reading`);
  for (const session of r.relaySessions) {
    const stats = session.stats();
    assert(stats.bufferedBytes <= window, `relay holds ${stats.bufferedBytes} bytes`);
    assert(stats.queuedFrames <= 4, `relay queued ${stats.queuedFrames} frames`);
  }
  assertEquals(await readAllFrom(r.b), data);
  await sending;
  await r.b.closeWrite();
  await relaying;
});

Deno.test("splice: a reset on one side closes the other and releases everything", async () => {
  await using r = await relayed();
  const relaying = splice(r.relayA, r.relayB);
  await writeAll(r.a, seededBytes(50_000, 41));
  const got = new Uint8Array(50_000);
  let n = 0;
  while (n < got.length) n += (await r.b.read(got.subarray(n)))!;
  r.b.reset();
  const result = await relaying;
  assertEquals(result.aToB, 50_000);
  // A sees the end of the stream (the relay closes, as pipe does) and can no longer write.
  assertEquals(await readAllFrom(r.a), new Uint8Array(0));
  r.a.close();
  await eventually(() => r.relaySessions.every((s) => s.numStreams === 0));
  assertEquals(r.relaySessions[0].stats().bufferedBytes, 0);
});

Deno.test("splice: the far session going away ends the splice and closes the near stream", async () => {
  await using r = await relayed();
  const relaying = splice(r.relayA, r.relayB);
  await writeAll(r.a, seededBytes(10_000, 51));
  await r.right.client.close(); // B's whole session
  await relaying;
  assertEquals(await readAllFrom(r.a), new Uint8Array(0));
  r.a.close();
  await eventually(() => r.left.server.numStreams === 0);
  assertEquals(r.left.server.stats().bufferedBytes, 0);
});

Deno.test("splice keeps the session's buffer budget: a stalled relay resets the stream past it", async () => {
  await using r = await relayed();
  r.relaySessions[0].setBufferBudget(32 * 1024);
  const relaying = splice(r.relayA, r.relayB);
  const sending = (async () => {
    try {
      for (let i = 0; i < 200; i++) await writeAll(r.a, seededBytes(16 * 1024, i));
      return "sent";
    } catch (error) {
      return error instanceof StreamResetError ? "reset" : `${error}`;
    }
  })();
  // B does not read: the relay's window to B fills, then its budget for A's bytes.
  const { aToB } = await relaying;
  assertEquals(await sending, "reset");
  assert(aToB <= 512 * 1024, `${aToB} bytes went through with nobody reading`);
  assert(r.relaySessions[0].stats().bufferedBytes <= 32 * 1024);
  await eventually(() => r.left.server.numStreams === 0);
  r.a.close();
  r.b.close();
});

Deno.test("splice falls back to copying for streams it cannot splice", async () => {
  await using r = await relayed();
  const plain = {
    inner: r.relayB,
    read: (p: Uint8Array) => r.relayB.read(p),
    write: (p: Uint8Array) => r.relayB.write(p),
    closeWrite: () => r.relayB.closeWrite(),
    close: () => r.relayB.close(),
  } as unknown as Stream;
  const relaying = splice(r.relayA, plain, { bufferSize: 1024 });
  const data = seededBytes(70_000, 61);
  await writeAll(r.a, data);
  await r.a.closeWrite();
  assertEquals(await readAllFrom(r.b), data);
  await r.b.closeWrite();
  assertEquals(await relaying, { aToB: data.length, bToA: 0 });
});
