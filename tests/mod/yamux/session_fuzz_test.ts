/**
 * Fuzzes the session's input path (frame decoder, stream state machine, flow control) with
 * seeded random and mutated frame sequences. Each case is a fresh session reading the input from
 * an in-memory connection (TCP would make 100,000 cases far too slow; the session only sees a
 * ByteStream either way). A case must end in one of three ways: the session closed with a typed
 * YamuxError that is not an internal error, or it is still running with bounded state; and
 * `close()` must then settle. Internal errors (a bug) and hangs fail the test.
 */
import { assert, assertEquals, assertInstanceOf } from "@std/assert";
import type { ByteStream } from "../../../mod/conn/mod.ts";
import {
  encodeHeader,
  FrameType,
  INITIAL_STREAM_WINDOW,
  Session,
  YamuxError,
} from "../../../mod/yamux/mod.ts";

const CASES = 100_000;
const BACKLOG = 4;

/** A connection whose read side replays `pieces`, then waits until closed; writes are counted. */
class ScriptedConn implements ByteStream {
  readonly drained: Promise<void>;
  written = 0;
  #pieces: Uint8Array[];
  #index = 0;
  #closed = false;
  #pending: ((value: number | null) => void) | undefined;
  #resolveDrained!: () => void;

  constructor(pieces: Uint8Array[]) {
    this.#pieces = pieces;
    this.drained = new Promise((resolve) => this.#resolveDrained = resolve);
  }

  read(p: Uint8Array): Promise<number | null> {
    if (this.#closed) return Promise.resolve(null);
    while (this.#index < this.#pieces.length) {
      const piece = this.#pieces[this.#index];
      if (piece.length === 0) {
        this.#index++;
        continue;
      }
      const n = Math.min(p.length, piece.length);
      p.set(piece.subarray(0, n));
      if (n === piece.length) this.#index++;
      else this.#pieces[this.#index] = piece.subarray(n);
      return Promise.resolve(n);
    }
    this.#resolveDrained();
    return new Promise((resolve) => this.#pending = resolve);
  }

  write(p: Uint8Array): Promise<number> {
    if (this.#closed) return Promise.reject(new Error("closed"));
    this.written += p.length;
    return Promise.resolve(p.length);
  }

  close(): void {
    this.#closed = true;
    this.#pending?.(null);
    this.#pending = undefined;
  }
}

/** xorshift32: reproducible cases from one seed. */
function prng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

function frameBytes(
  rand: (n: number) => number,
): Uint8Array {
  const ids = [1, 2, 3, 4, 5, 6, 0, 0xffffffff];
  const type = rand(10) < 6 ? rand(2) : 2 + rand(2);
  const flags = rand(4) === 0 ? rand(0x10000) : rand(16);
  const streamId = rand(8) === 0 ? rand(0x7fffffff) : ids[rand(ids.length)];
  if (type === FrameType.Data) {
    const bodyLength = rand(4) === 0 ? rand(3000) : rand(64);
    // Mostly honest lengths; sometimes a lie, sometimes past the window.
    const pick = rand(10);
    const length = pick < 7
      ? bodyLength
      : pick < 9
      ? rand(INITIAL_STREAM_WINDOW * 2)
      : 0xffffffff - rand(16);
    const out = new Uint8Array(12 + bodyLength);
    encodeHeader({ type, flags, streamId, length }, out);
    for (let i = 12; i < out.length; i += 7) out[i] = rand(256);
    return out;
  }
  const length = type === FrameType.GoAway && rand(2) === 0 ? rand(4) : rand(0x100000000);
  return encodeHeader({ type: type as FrameType, flags, streamId, length });
}

function makeCase(rand: (n: number) => number): Uint8Array[] {
  let input: Uint8Array;
  if (rand(5) === 0) {
    input = new Uint8Array(rand(200));
    for (let i = 0; i < input.length; i++) input[i] = rand(256);
  } else {
    const frames = Array.from({ length: 1 + rand(12) }, () => frameBytes(rand));
    input = new Uint8Array(frames.reduce((sum, f) => sum + f.length, 0));
    let off = 0;
    for (const frame of frames) {
      input.set(frame, off);
      off += frame.length;
    }
    // Mutations: flip bits, cut the tail, or splice in random bytes.
    const mutations = rand(4);
    for (let m = 0; m < mutations && input.length > 0; m++) {
      const at = rand(input.length);
      switch (rand(3)) {
        case 0:
          input[at] ^= 1 << rand(8);
          break;
        case 1:
          input = input.subarray(0, at);
          break;
        default: {
          const junk = Uint8Array.from({ length: 1 + rand(12) }, () => rand(256));
          const spliced = new Uint8Array(input.length + junk.length);
          spliced.set(input.subarray(0, at));
          spliced.set(junk, at);
          spliced.set(input.subarray(at), at + junk.length);
          input = spliced;
        }
      }
    }
  }
  // Deliver in 1-3 pieces so headers and payloads straddle reads.
  const cuts = [0, ...Array.from({ length: rand(3) }, () => rand(input.length + 1))].sort((a, b) =>
    a - b
  );
  return cuts.map((cut, i) => input.subarray(cut, cuts[i + 1] ?? input.length));
}

async function runCase(
  pieces: Uint8Array[],
  role: "client" | "server",
  rand: (n: number) => number,
) {
  const conn = new ScriptedConn(pieces);
  const session = new Session(conn, {
    role,
    enableKeepAlive: false,
    acceptBacklog: BACKLOG,
    streamOpenTimeout: 0,
    streamCloseTimeout: 0,
  });
  // Sometimes a stream of ours exists for the input to hit (id 1 as client, 2 as server).
  if (rand(3) === 0) (await session.open()).write(new Uint8Array(10)).catch(() => {});
  const outcome = await Promise.race([
    conn.drained.then(() => "drained" as const),
    session.closed.then(() => "closed" as const),
  ]);
  const closed = outcome === "closed" || session.isClosed;
  if (closed) {
    const reason = await session.closed;
    assertInstanceOf(reason, YamuxError);
    assert(!reason.message.includes("internal"), `internal error: ${String(reason.cause)}`);
  } else {
    const stats = session.stats();
    assert(stats.acceptQueue <= BACKLOG);
    assert(stats.bufferedBytes <= stats.streams * INITIAL_STREAM_WINDOW);
    // Use what arrived, as an application would.
    for (let i = 0; i < stats.acceptQueue; i++) {
      const stream = (await session.accept())!;
      if (stream.bufferedBytes > 0) await stream.read(new Uint8Array(stream.bufferedBytes));
      if (rand(2) === 0) stream.reset();
      else stream.close();
    }
  }
  await session.close();
  assertEquals(session.stats().streams, 0);
  assertEquals(session.stats().timers, 0);
  return closed ? "closed" : "running";
}

Deno.test(`Session input fuzz: ${CASES} random and mutated inputs end typed or keep going`, async () => {
  const rand = prng(0x5eed);
  const outcomes = { closed: 0, running: 0 };
  for (let i = 0; i < CASES; i++) {
    const pieces = makeCase(rand);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`case ${i} hung`)), 5_000);
    });
    try {
      outcomes[await Promise.race([runCase(pieces, rand(2) ? "client" : "server", rand), hang])]++;
    } finally {
      clearTimeout(timer);
    }
  }
  // Both outcomes must be common, or the generator is not reaching the deeper paths.
  assert(outcomes.closed > CASES / 10 && outcomes.running > CASES / 10, JSON.stringify(outcomes));
});
