/**
 * The {@linkcode ByteStream} contract as `mod/conn/byte_stream.ts` documents it, as one suite that
 * every implementation runs (`tests/mod/conn/byte_stream_test.ts` lists them):
 *
 * - `read` fills up to `p.length` bytes and resolves to the count, `null` at end of stream;
 * - `write` writes some of `p` and resolves to the count;
 * - `close` releases the stream: pending and later reads and writes fail or end; idempotent;
 * - `closeWrite` half-closes: the peer reads end of stream, we can still read.
 *
 * Every wait is bounded, so a broken implementation fails a step instead of hanging the run.
 *
 * @module
 */
import { assert, assertEquals, AssertionError } from "@std/assert";
import type { ByteStream } from "../../mod/conn/mod.ts";
import { sha256 } from "../../mod/cipher/mod.ts";
import { Prng, seededBytes } from "./prng.ts";

/** Two connected ends made for one case. */
export interface StreamPair {
  /** One end. */
  a: ByteStream;
  /** The other end. */
  b: ByteStream;
  /** Whether everything the pair held (ids, ports, timers) is released; polled after closing. */
  released?(): boolean;
  /** Release what the pair was built on (sessions, listeners); both ends are closed by then. */
  dispose?(): Promise<void> | void;
}

/** An implementation under test: makes fresh pairs, possibly over shared state. */
export interface ByteStreamSubject {
  /** A fresh connected pair. */
  pair(): Promise<StreamPair>;
  /** Release the shared state after the last case. */
  close?(): PromiseLike<void> | void;
}

/** Options for {@linkcode testByteStream}. */
export interface ByteStreamSuiteOptions {
  /**
   * Run Deno's op and resource sanitizers on each case (default true). Subjects whose shared
   * state runs background work across cases (a dmsg network) turn them off and use `released`.
   */
  sanitize?: boolean;
}

/** How long any single wait in the suite may take. */
const WAIT_MS = 10_000;
/** How long a bulk exchange may take (a dmsg stream is three layers over loopback TCP). */
const BULK_MS = 60_000;
/** How long a write must stay pending before we call it blocked by backpressure. */
const BLOCKED_MS = 300;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Register the compliance suite for one implementation as a test with one step per case. */
export function testByteStream(
  name: string,
  open: () => Promise<ByteStreamSubject>,
  options: ByteStreamSuiteOptions = {},
): void {
  const sanitize = options.sanitize ?? true;
  Deno.test({
    name: `ByteStream compliance: ${name}`,
    sanitizeOps: sanitize,
    sanitizeResources: sanitize,
    async fn(t) {
      const subject = await open();
      try {
        for (const [caseName, run] of Object.entries(CASES)) {
          await t.step({
            name: caseName,
            sanitizeOps: sanitize,
            sanitizeResources: sanitize,
            fn: () => withPair(subject, run),
          });
        }
      } finally {
        await subject.close?.();
      }
    },
  });
}

type Case = (pair: StreamPair) => Promise<void>;

async function withPair(
  subject: ByteStreamSubject,
  run: (pair: StreamPair) => Promise<void>,
): Promise<void> {
  const pair = await within(subject.pair(), "making a pair");
  try {
    await run(pair);
  } finally {
    closeQuietly(pair.a);
    closeQuietly(pair.b);
    await pair.dispose?.();
  }
}

// The suite's own cleanup, after a case that may have failed half-way: its error is the one
// to report (the idempotence case checks that a second close does not throw).
function closeQuietly(stream: ByteStream): void {
  try {
    stream.close();
  } catch {
    // Reported by the idempotence case.
  }
}

const CASES: Record<string, Case> = {
  "bytes arrive in order across many writes and reads of random sizes, both ways at once": async (
    { a, b },
  ) => {
    const ab = seededBytes(1_500_000, 0xa1), ba = seededBytes(1_200_000, 0xb2);
    const prngA = new Prng(2), prngB = new Prng(4);
    const [, toB, , toA] = await within(
      Promise.all([
        send(a, ab, new Prng(1)),
        receive(b, ab.length, () => randomReadSize(prngB)),
        send(b, ba, new Prng(3)),
        receive(a, ba.length, () => randomReadSize(prngA)),
      ]),
      "the random-size exchange",
      BULK_MS,
    );
    assertBytes(toB, ab, "a to b");
    assertBytes(toA, ba, "b to a");
  },

  "a large transfer arrives intact both ways (SHA-256)": async ({ a, b }) => {
    const size = 8 * 1024 * 1024;
    const ab = seededBytes(size, 0xc3), ba = seededBytes(size, 0xd4);
    const [, toB, , toA] = await within(
      Promise.all([
        pump(a, ab),
        receive(b, size, () => 32 * 1024),
        pump(b, ba),
        receive(a, size, () => 32 * 1024),
      ]),
      "the 8 MiB exchange",
      BULK_MS,
    );
    assertEquals(sha256(toB), sha256(ab), "a to b digest");
    assertEquals(sha256(toA), sha256(ba), "b to a digest");
  },

  "closeWrite: the peer reads to the end (again and again) and can still answer": async (
    { a, b },
  ) => {
    if (!a.closeWrite || !b.closeWrite) return; // optional in the interface
    await within(writeAll(a, encoder.encode("request")), "writing the request");
    await within(a.closeWrite(), "half-closing a");
    assertEquals(decoder.decode(await within(readToEnd(b), "reading the request")), "request");
    assertEquals(await within(b.read(new Uint8Array(8)), "a read after the end"), null);
    assertEquals(await within(b.read(new Uint8Array(8)), "another read after the end"), null);
    await within(writeAll(b, encoder.encode("response")), "writing the response");
    await within(b.closeWrite(), "half-closing b");
    assertEquals(decoder.decode(await within(readToEnd(a), "reading the response")), "response");
    await expectFailure(a.write(encoder.encode("late")), "a write after closeWrite");
  },

  "close ends a pending read on the same end, and later reads end or fail": async ({ b }) => {
    const pending = b.read(new Uint8Array(16));
    await pause(20);
    b.close();
    assertEnded(await settle(pending, "the pending read"), "the pending read");
    assertEnded(await settle(b.read(new Uint8Array(16)), "a read after close"), "a later read");
  },

  "close drops what was not read yet": async ({ a, b }) => {
    await within(writeAll(a, encoder.encode("0123456789")), "writing ten bytes");
    assertEquals(await within(b.read(new Uint8Array(1)), "reading one byte"), 1);
    await pause(50); // let the other nine arrive wherever the implementation keeps them
    b.close();
    assertEnded(
      await settle(b.read(new Uint8Array(16)), "a read after close"),
      "a read after close",
    );
  },

  "a write after close fails": async ({ a }) => {
    a.close();
    await expectFailure(a.write(encoder.encode("late")), "a write after close");
  },

  "close fails a write that waits for the peer to read": async ({ a }) => {
    let settled = false;
    const writing = writeAll(a, new Uint8Array(64 * 1024 * 1024)).finally(() => settled = true);
    writing.catch(() => {}); // its outcome is checked below
    await pause(BLOCKED_MS);
    assert(!settled, "the write finished without a reader: no backpressure to test against");
    a.close();
    await expectFailure(writing, "the blocked write");
  },

  "the peer's pending and later reads end when one end closes": async ({ a, b }) => {
    const pending = b.read(new Uint8Array(16));
    await pause(20);
    a.close();
    assertEnded(await settle(pending, "the peer's pending read"), "the peer's pending read");
    assertEnded(await settle(b.read(new Uint8Array(16)), "a later read"), "the peer's later read");
  },

  "close is idempotent and releases the stream": async (pair) => {
    const { a, b } = pair;
    await within(writeAll(a, encoder.encode("x")), "writing a byte");
    assertEquals(await within(b.read(new Uint8Array(1)), "reading it"), 1);
    a.close();
    b.close();
    // Again, and again after the peer has gone too: never a throw.
    for (const end of [a, b, a, b]) end.close();
    if (pair.released) await eventually(pair.released, "the pair's resources to be released");
  },
};

/** Write `data` in writes of random sizes (mostly small, sometimes up to 100 KB), then half-close. */
async function send(stream: ByteStream, data: Uint8Array, prng: Prng): Promise<void> {
  for (let offset = 0; offset < data.length;) {
    const max = prng.int(10) === 0 ? 100_000 : 3_000;
    const size = Math.min(data.length - offset, 1 + prng.int(max));
    await writeAll(stream, data.subarray(offset, offset + size));
    offset += size;
  }
  await stream.closeWrite?.();
}

/** Write all of `data` in 64 KiB writes, then half-close. */
async function pump(stream: ByteStream, data: Uint8Array): Promise<void> {
  for (let offset = 0; offset < data.length; offset += 65536) {
    await writeAll(stream, data.subarray(offset, offset + 65536));
  }
  await stream.closeWrite?.();
}

/**
 * Read `length` bytes with reads of `readSize()` bytes, checking each count is within 1..the
 * buffer; then, when the stream can half-close (the sender did), expect the end.
 */
async function receive(
  stream: ByteStream,
  length: number,
  readSize: () => number,
): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  for (let offset = 0; offset < length;) {
    const view = out.subarray(offset, Math.min(length, offset + readSize()));
    const n = await stream.read(view);
    if (n === null) throw new AssertionError(`end of stream after ${offset} of ${length} bytes`);
    assert(n > 0 && n <= view.length, `read resolved ${n} for a ${view.length}-byte buffer`);
    offset += n;
  }
  if (stream.closeWrite) {
    assertEquals(await stream.read(new Uint8Array(64)), null, "bytes past the end of the data");
  }
  return out;
}

/** Write all of `p`, checking each write's count is within 1..remaining. */
async function writeAll(stream: ByteStream, p: Uint8Array): Promise<void> {
  for (let offset = 0; offset < p.length;) {
    const n = await stream.write(p.subarray(offset));
    assert(n > 0 && n <= p.length - offset, `write resolved ${n} for ${p.length - offset} bytes`);
    offset += n;
  }
}

/** Everything up to the end of stream. */
async function readToEnd(stream: ByteStream): Promise<Uint8Array> {
  const parts: number[] = [];
  const buf = new Uint8Array(4096);
  for (;;) {
    const n = await stream.read(buf);
    if (n === null) return Uint8Array.from(parts);
    parts.push(...buf.subarray(0, n));
  }
}

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

/** The outcome of `promise`, which must settle within the suite's wait limit. */
async function settle(promise: Promise<unknown>, what: string): Promise<Settled> {
  return await within(
    promise.then((value) => ({ ok: true, value }), (error) => ({ ok: false, error })),
    what,
  );
}

/** A read that "ends or fails": resolved `null`, or rejected. Never data, never a hang. */
function assertEnded(outcome: Settled, what: string): void {
  if (outcome.ok && outcome.value !== null) {
    throw new AssertionError(`${what} resolved ${outcome.value} instead of ending or failing`);
  }
}

async function expectFailure(promise: Promise<unknown>, what: string): Promise<void> {
  const outcome = await settle(promise, what);
  if (outcome.ok) throw new AssertionError(`${what} resolved ${outcome.value} instead of failing`);
}

/** `promise`, or an assertion failure naming `what` after the suite's wait limit. */
async function within<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AssertionError(`${what}: no result in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  const end = performance.now() + WAIT_MS;
  while (!check()) {
    if (performance.now() > end) throw new AssertionError(`timed out waiting for ${what}`);
    await pause(10);
  }
}

function assertBytes(got: Uint8Array, want: Uint8Array, what: string): void {
  assertEquals(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) throw new AssertionError(`${what}: first difference at byte ${i}`);
  }
}

/** Mostly mid-sized reads, some of a single byte, some larger than any write. */
function randomReadSize(prng: Prng): number {
  return prng.int(8) === 0 ? 1 : 1 + prng.int(70_000);
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
