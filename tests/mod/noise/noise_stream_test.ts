import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStrictEquals,
} from "@std/assert";
import { bytesToHex, generateKeyPair, type KeyPair, sha256 } from "../../../mod/cipher/mod.ts";
import { type ByteStream, readFull, writeAll } from "../../../mod/conn/mod.ts";
import {
  getAead,
  type HandshakePattern,
  loadAead,
  MAX_FRAME_PLAINTEXT,
  NoiseDecryptError,
  NoiseError,
  NoiseFrameError,
  NoiseNonceError,
  NoiseStream,
  performHandshake,
  ReceiveCipher,
  SendCipher,
  type TransportKeys,
} from "../../../mod/noise/mod.ts";
import { memoryPipe } from "../../_util/memory_pipe.ts";
import { tcpPair } from "../../_util/tcp_pair.ts";
import { Prng, ScriptedStream } from "./_util.ts";

/** Both ends of a TCP connection on 127.0.0.1, Noise-wrapped after a real handshake. */
async function noisePair(pattern: HandshakePattern): Promise<[NoiseStream, NoiseStream]> {
  const client = generateKeyPair(), server = generateKeyPair();
  const [dialed, accepted] = await tcpPair();
  const [clientKeys, serverKeys] = await Promise.all([
    performHandshake({
      stream: dialed,
      pattern,
      initiator: true,
      localKeyPair: client,
      remoteStatic: server.pk,
    }),
    performHandshake({
      stream: accepted,
      pattern,
      initiator: false,
      localKeyPair: server,
      remoteStatic: pattern === "KK" ? client.pk : undefined,
    }),
  ]);
  assertEquals(serverKeys.remoteStatic.hex(), client.pk.hex());
  assertEquals(clientKeys.remoteStatic.hex(), server.pk.hex());
  return [new NoiseStream(dialed, clientKeys), new NoiseStream(accepted, serverKeys)];
}

/** Write `data` in uneven pieces, then half-close. */
async function send(stream: ByteStream, data: Uint8Array, prng: Prng): Promise<void> {
  for (let offset = 0; offset < data.length;) {
    const size = Math.min(data.length - offset, 1 + prng.int(100_000));
    await writeAll(stream, data.subarray(offset, offset + size));
    offset += size;
  }
  await stream.closeWrite!();
}

/** Read to the end with a buffer of `size` bytes; returns everything read. */
async function receiveAll(stream: ByteStream, size = 32 * 1024): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(size);
  let total = 0;
  for (;;) {
    const n = await stream.read(buffer);
    if (n === null) break;
    chunks.push(buffer.slice(0, n));
    total += n;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) out.set(chunk, offset), offset += chunk.length;
  return out;
}

for (const pattern of ["XK", "KK"] as const) {
  Deno.test(`NoiseStream moves 5 MB each way over loopback TCP after a ${pattern} handshake`, async () => {
    const [a, b] = await noisePair(pattern);
    const prng = new Prng(pattern === "XK" ? 1 : 2);
    const aToB = new Uint8Array(5 * 1024 * 1024).map(() => prng.u32());
    const bToA = new Uint8Array(5 * 1024 * 1024 + 12_345).map(() => prng.u32());
    const [, , atB, atA] = await Promise.all([
      send(a, aToB, prng),
      send(b, bToA, prng),
      receiveAll(b),
      receiveAll(a, 1000),
    ]);
    assertEquals(bytesToHex(sha256(atB)), bytesToHex(sha256(aToB)));
    assertEquals(bytesToHex(sha256(atA)), bytesToHex(sha256(bToA)));
    a.close();
    b.close();
  });
}

const someone = generateKeyPair().pk;

/** Matching sender/receiver keys from a seed, without a handshake (cheap enough to fuzz with). */
function fixedKeys(
  seed: number,
  aead = getAead(),
): { sender: TransportKeys; receiver: TransportKeys } {
  const prng = new Prng(seed);
  const key = prng.bytes(32);
  const remoteStatic = someone, handshakeHash = new Uint8Array(32);
  const other = prng.bytes(32);
  return {
    sender: {
      send: new SendCipher(key, aead),
      receive: new ReceiveCipher(other, aead),
      remoteStatic,
      handshakeHash,
    },
    receiver: {
      send: new SendCipher(other, aead),
      receive: new ReceiveCipher(key, aead),
      remoteStatic,
      handshakeHash,
    },
  };
}

/** The frames a NoiseStream writes for `writes`, as raw bytes. */
async function framesOf(keys: TransportKeys, ...writes: Uint8Array[]): Promise<Uint8Array> {
  const sink = new ScriptedStream(new Uint8Array(0));
  const stream = new NoiseStream(sink, keys);
  for (const data of writes) assertEquals(await stream.write(data), data.length);
  const out = new Uint8Array(sink.written.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of sink.written) out.set(chunk, offset), offset += chunk.length;
  return out;
}

function splitFrames(raw: Uint8Array): { length: number; nonce: bigint }[] {
  const frames = [];
  const view = new DataView(raw.buffer, raw.byteOffset, raw.length);
  for (let offset = 0; offset < raw.length;) {
    const length = view.getUint16(offset);
    frames.push({ length, nonce: view.getBigUint64(offset + 2) });
    offset += 2 + length;
  }
  return frames;
}

Deno.test("write splits data into frames of at most 4070 plaintext bytes, nonces from 1", async () => {
  const { sender } = fixedKeys(1);
  const raw = await framesOf(
    sender,
    new Uint8Array(10_000),
    new Uint8Array(0),
    new Uint8Array(7),
    new Uint8Array(70 * 4070 + 1),
  );
  const frames = splitFrames(raw);
  assertEquals(frames.slice(0, 4), [
    { length: 4094, nonce: 1n },
    { length: 4094, nonce: 2n },
    { length: 10_000 - 2 * 4070 + 24, nonce: 3n },
    { length: 7 + 24, nonce: 4n },
  ]);
  assertEquals(frames.length, 4 + 71);
  assertEquals(frames.at(-1), { length: 25, nonce: 75n });
  assert(frames.every((f) => f.length <= 4094));
});

Deno.test("large writes reach the inner stream in batches, not one write per frame or per byte", async () => {
  const { sender } = fixedKeys(2);
  const sink = new ScriptedStream(new Uint8Array(0));
  await new NoiseStream(sink, sender).write(new Uint8Array(100 * MAX_FRAME_PLAINTEXT));
  assertEquals(sink.written.length, Math.ceil(100 / 17));
  // A 64 KiB write (17 frames) leaves in one inner write, not a full batch and a straggler.
  const one = new ScriptedStream(new Uint8Array(0));
  await new NoiseStream(one, fixedKeys(2).sender).write(new Uint8Array(65_536));
  assertEquals(one.written.map((w) => w.length), [65_536 + 17 * 26]);
});

Deno.test("read returns frames in order and keeps leftover plaintext for the next read", async () => {
  const { sender, receiver } = fixedKeys(3);
  const data = new Uint8Array(9000).map((_, i) => i * 13);
  const raw = await framesOf(sender, data.subarray(0, 5000), data.subarray(5000));
  for (const size of [1, 7, 4070, 10_000]) {
    const stream = new NoiseStream(
      new ScriptedStream(raw, { prng: new Prng(size), maxChunk: 3000 }),
      fixedKeys(3).receiver,
    );
    assertEquals(bytesToHex(await receiveAll(stream, size)), bytesToHex(data));
  }
  // A zero-length read is not the end of the stream.
  assertEquals(await new NoiseStream(new ScriptedStream(raw), receiver).read(new Uint8Array(0)), 0);
});

Deno.test("frames decrypted in the read buffer: leftover plaintext survives the refills", async () => {
  // Each backend, the in-place one (libcrypto) among them where it loads: reads smaller than a
  // frame leave plaintext pending while later frames arrive in pieces of every size.
  const backends = [await loadAead("node"), await loadAead("noble")];
  try {
    backends.unshift(getAead("ffi"));
  } catch { /* no libcrypto here: the copying backends only */ }
  const prng = new Prng(77);
  const data = prng.bytes(200_000);
  const pieces = [];
  for (let at = 0; at < data.length;) {
    const size = 1 + prng.int(9_000);
    pieces.push(data.subarray(at, at += size));
  }
  for (const aead of backends) {
    const raw = await framesOf(fixedKeys(9, aead).sender, ...pieces);
    for (const [readSize, maxChunk] of [[1_000, 700], [3_333, 5_000], [64 * 1024, 20_000]]) {
      const stream = new NoiseStream(
        new ScriptedStream(raw, { prng: new Prng(readSize), maxChunk }),
        fixedKeys(9, aead).receiver,
      );
      const got = await receiveAll(stream, readSize);
      assertEquals(bytesToHex(sha256(got)), bytesToHex(sha256(data)), `${aead.name} ${readSize}`);
    }
  }
});

Deno.test("the read buffer shrinks after two small reads in a row, not after a lone one", async () => {
  const { sender, receiver } = fixedKeys(5);
  // Small frames (pings), bulk, a lone small frame inside the bulk, then quiet small frames;
  // the inner stream hands out each write's frames as one read and records the room offered.
  const sizes = [10, 10, 40_000, 10, 40_000, 10, 10];
  const sink = new ScriptedStream(new Uint8Array(0));
  const writer = new NoiseStream(sink, sender);
  const readEnds: number[] = [];
  let total = 0;
  for (const size of sizes) {
    await writer.write(new Uint8Array(size).fill(1));
    total = sink.written.reduce((n, c) => n + c.length, 0);
    readEnds.push(total);
  }
  const raw = new Uint8Array(total);
  sink.written.reduce((at, chunk) => (raw.set(chunk, at), at + chunk.length), 0);
  const offered: number[] = [];
  let offset = 0, next = 0;
  const inner: ByteStream = {
    read(p) {
      offered.push(p.length);
      if (offset === raw.length) return Promise.resolve(null);
      const n = Math.min(p.length, readEnds[next] - offset);
      p.set(raw.subarray(offset, offset + n));
      offset += n;
      if (offset === readEnds[next]) next++;
      return Promise.resolve(n);
    },
    write: (p) => Promise.resolve(p.length),
    close() {},
  };
  const got = await receiveAll(new NoiseStream(inner, receiver), 128 * 1024);
  assertEquals(got.length, sizes.reduce((a, b) => a + b, 0));
  // Quiet at first: the small buffer. The bulk brings the large one, which stays through the
  // lone small read and is dropped only after two small reads in a row.
  const large = Math.max(...offered);
  assert(large > 16 * 1024, `${offered}`);
  assert(offered[0] <= 512 && offered[1] <= 512, `${offered}`);
  const lone = offered.lastIndexOf(large);
  assert(offered.slice(lone - 3, lone + 1).every((n) => n === large), `${offered}`);
  assert(offered.at(-1)! <= 512, `${offered}`);
});

Deno.test("one read takes every whole frame already buffered; a bad one behind them fails the next", async () => {
  const { sender, receiver } = fixedKeys(5);
  const data = new Uint8Array(3000).map((_, i) => i * 7);
  const good = await framesOf(
    sender,
    data.subarray(0, 1000),
    data.subarray(1000, 2000),
    data.subarray(2000),
  );
  const bad = await framesOf(sender, Uint8Array.of(1, 2, 3));
  bad[bad.length - 1] ^= 1; // tag
  const stream = new NoiseStream(new ScriptedStream(Uint8Array.of(...good, ...bad)), receiver);
  const buffer = new Uint8Array(10_000);
  assertEquals(await stream.read(buffer), 3000);
  assertEquals(bytesToHex(buffer.subarray(0, 3000)), bytesToHex(data));
  await assertRejects(() => stream.read(buffer), NoiseDecryptError);
  await assertRejects(() => stream.read(buffer), NoiseDecryptError);
});

Deno.test("empty frames are skipped, as Go skips them", async () => {
  const { sender, receiver } = fixedKeys(4);
  const raw = new Uint8Array(26 * 2 + 27);
  let offset = sender.send.sealFrameInto(new Uint8Array(0), raw, 0);
  offset += sender.send.sealFrameInto(new Uint8Array(0), raw, offset);
  sender.send.sealFrameInto(Uint8Array.of(42), raw, offset);
  const stream = new NoiseStream(new ScriptedStream(raw), receiver);
  assertEquals(bytesToHex(await receiveAll(stream)), "2a");
});

async function expectReadError<E extends NoiseError>(
  raw: Uint8Array,
  keys: TransportKeys,
  // deno-lint-ignore no-explicit-any
  errorClass: abstract new (...args: any[]) => E,
): Promise<ScriptedStream> {
  const inner = new ScriptedStream(raw);
  const stream = new NoiseStream(inner, keys);
  const error = await assertRejects(() => receiveAll(stream), errorClass);
  assert(inner.closed, "the stream is closed on a bad frame");
  // Later reads keep failing with the same error rather than resuming mid-stream.
  assertStrictEquals(await stream.read(new Uint8Array(10)).catch((e) => e), error);
  return inner;
}

Deno.test("a tampered frame is a NoiseDecryptError and closes the stream", async () => {
  const { sender } = fixedKeys(5);
  const raw = await framesOf(sender, new Uint8Array(100), new Uint8Array(100));
  for (const at of [2 + 3, 2 + 8 + 50, 2 + 8 + 100 + 5, 126 + 2 + 7]) {
    const bad = raw.slice();
    bad[at] ^= 0x01;
    await expectReadError(bad, fixedKeys(5).receiver, NoiseDecryptError);
  }
});

Deno.test("a replayed or reordered frame is a NoiseNonceError", async () => {
  const { sender } = fixedKeys(6);
  const raw = await framesOf(sender, Uint8Array.of(1), Uint8Array.of(2));
  const [first, second] = [raw.subarray(0, 27), raw.subarray(27)];
  const replayed = new Uint8Array([...first, ...first]);
  const reordered = new Uint8Array([...second, ...first]);
  await expectReadError(replayed, fixedKeys(6).receiver, NoiseNonceError);
  await expectReadError(reordered, fixedKeys(6).receiver, NoiseNonceError);
});

Deno.test("length prefixes above 4094 or below 24 are a NoiseFrameError", async () => {
  const { receiver } = fixedKeys(7);
  for (const length of [0, 1, 23, 4095, 0xffff]) {
    const raw = new Uint8Array(2 + 5000);
    new DataView(raw.buffer).setUint16(0, length);
    await expectReadError(raw, fixedKeys(7).receiver, NoiseFrameError);
  }
  assert(receiver);
});

Deno.test("a stream ending inside a frame is a NoiseFrameError; between frames it is the end", async () => {
  const { sender } = fixedKeys(8);
  const raw = await framesOf(sender, new Uint8Array(300));
  for (const cut of [1, 2, 10, raw.length - 1]) {
    await expectReadError(raw.subarray(0, cut), fixedKeys(8).receiver, NoiseFrameError);
  }
  const stream = new NoiseStream(new ScriptedStream(raw), fixedKeys(8).receiver);
  assertEquals((await receiveAll(stream)).length, 300);
  assertEquals(await stream.read(new Uint8Array(1)), null);
});

Deno.test("concurrent writes are queued whole, never interleaved", async () => {
  const [left, right] = memoryPipe();
  const { sender, receiver } = fixedKeys(9);
  const writer = new NoiseStream(left, sender), reader = new NoiseStream(right, receiver);
  const pieces = [0x61, 0x62, 0x63].map((byte) => new Uint8Array(30_000).fill(byte));
  const received = receiveAll(reader, 777);
  await Promise.all(pieces.map((piece) => writer.write(piece)));
  await writer.closeWrite();
  const text = new TextDecoder().decode(await received);
  assertEquals(text, "a".repeat(30_000) + "b".repeat(30_000) + "c".repeat(30_000));
  writer.close();
  reader.close();
});

Deno.test("closeWrite half-closes over TCP: the peer reads the end and can still answer", async () => {
  const [client, server] = await noisePair("KK");
  await client.write(new TextEncoder().encode("request"));
  await client.closeWrite();
  assertEquals(new TextDecoder().decode(await receiveAll(server)), "request");
  await writeAll(server, new TextEncoder().encode("response"));
  server.close();
  assertEquals(new TextDecoder().decode(await receiveAll(client)), "response");
  client.close();
});

Deno.test("close closes the inner stream; later reads end and writes fail", async () => {
  const [client, server] = await noisePair("XK");
  const pending = client.read(new Uint8Array(10));
  client.close();
  client.close(); // idempotent
  assertEquals(await pending, null);
  assertEquals(await client.read(new Uint8Array(10)), null);
  await assertRejects(() => client.write(Uint8Array.of(1)), NoiseError);
  // The peer sees the connection end.
  assertEquals(await server.read(new Uint8Array(10)), null);
  server.close();
});

Deno.test("close drops decrypted bytes not read yet: the next read ends", async () => {
  const [client, server] = await noisePair("XK");
  await client.write(new TextEncoder().encode("0123456789"));
  const first = new Uint8Array(1);
  assertEquals(await server.read(first), 1); // the other nine wait in the stream
  server.close();
  assertEquals(await server.read(new Uint8Array(16)), null);
  client.close();
});

Deno.test("a NoiseStream peer over TCP reads exactly what the raw connection carried", async () => {
  // Cross-check the framing on a real socket: the raw bytes parse as frames of the right sizes.
  const client = generateKeyPair() as KeyPair, server = generateKeyPair();
  const [dialed, accepted] = await tcpPair();
  const [keys] = await Promise.all([
    performHandshake({
      stream: dialed,
      pattern: "XK",
      initiator: true,
      localKeyPair: client,
      remoteStatic: server.pk,
    }),
    performHandshake({ stream: accepted, pattern: "XK", initiator: false, localKeyPair: server }),
  ]);
  const stream = new NoiseStream(dialed, keys);
  await stream.write(new Uint8Array(5000));
  const raw = new Uint8Array(5000 + 2 * 26);
  await readFull(accepted, raw);
  assertEquals(splitFrames(raw), [{ length: 4094, nonce: 1n }, { length: 930 + 24, nonce: 2n }]);
  stream.close();
  accepted.close();
});

Deno.test("fuzz: the frame decoder throws only NoiseError on random and mutated streams", async () => {
  const prng = new Prng(0xf4a3e);
  const { sender } = fixedKeys(10);
  const genuine = await framesOf(
    sender,
    new Uint8Array(50),
    new Uint8Array(5000),
    Uint8Array.of(1),
    new Uint8Array(300),
  );
  const buffer = new Uint8Array(4096);
  let completed = 0;
  for (let n = 0; n < 40_000; n++) {
    const input = n % 4 === 0
      ? prng.bytes(prng.int(300))
      : prng.mutate(genuine.subarray(0, prng.int(8) === 0 ? genuine.length : 400));
    const inner = new ScriptedStream(input, { prng, maxChunk: 1 + prng.int(5000) });
    const stream = new NoiseStream(inner, fixedKeys(10).receiver);
    try {
      while ((await stream.read(buffer)) !== null) { /* drain */ }
      completed++;
    } catch (error) {
      assertInstanceOf(error, NoiseError);
      assert(inner.closed);
    }
  }
  assert(completed < 40_000 / 2);
});
