/**
 * Every handshake step fed random and mutated input over real TCP: the side under test must end
 * with success or its typed error, its connection closed on error, and never hang or crash.
 */
import { assert } from "@std/assert";
import { generateKeyPair, type KeyPair } from "../../../mod/cipher/mod.ts";
import { type ByteStream, writeAll } from "../../../mod/conn/mod.ts";
import {
  decodeFrame1,
  encodeFrame1,
  encodeFrame2,
  encodeFrame3,
  encodeSignedEntry,
  encryptStream,
  initiateSettlement,
  initiatorHandshake,
  makeEntry,
  NetworkHandshakeError,
  newSignedEntry,
  responderHandshake,
  respondSettlement,
  SettlementError,
  signFrame2,
} from "../../../mod/transport/mod.ts";
import { readJsonLine } from "../../../mod/transport/_line.ts";
import { mutate, Prng } from "../dmsg/_fuzz.ts";
import { closeQuietly, isClosedLocally, tcpPair, utf8 } from "./_helpers.ts";

const CASES = 100;
const BATCH = 10;
const TIMEOUT_MS = 200;
const LIMIT_MS = 3_000;

// Text-level mutations keep JSON-ish shape, so the decoders' deeper paths are reached too.
function mutateJson(rng: Prng, line: Uint8Array): Uint8Array {
  const text = new TextDecoder().decode(line);
  const edits: (() => string)[] = [
    () => text.replace(/\d+/, String(rng.pick([-1, 256, 65536, 1.5, 1e3, 0]))),
    () => text.replace(/"[^"]*"/, rng.pick(['""', "null", "1", "[]", "{}", '"\\u0000"'])),
    () => text.replace(/\[/, rng.pick(["[[", "{", "[null,"])),
    () => text.replace(/[a-f0-9]{8}/, rng.pick(["zzzzzzzz", "00000000", "FFFFFFFF"])),
    () => text.replace(/:/, rng.pick([": ", "::", ":\n"])),
    () => text.slice(0, rng.int(text.length)) + "\n",
    () => text.replace("\n", "") + rng.pick(["", "\n\n", "\nX", " {}\n"]),
    () => text.replace(/"[A-Za-z_]+":/, rng.pick(['"X":', '"nonce":', '"SIG":', '"entry":'])),
  ];
  return utf8(rng.pick(edits)());
}

function garble(rng: Prng, line: Uint8Array): Uint8Array {
  switch (rng.int(4)) {
    case 0:
      return rng.bytes(rng.int(700));
    case 1:
      return mutate(rng, line);
    default:
      return mutateJson(rng, line);
  }
}

interface Attack {
  /** The side under test; resolves on success, rejects with its error. */
  subject: (stream: ByteStream) => Promise<unknown>;
  /** The peer's script, over the other end. */
  peer: (stream: Deno.TcpConn, rng: Prng) => Promise<void>;
  /** The error class the subject may fail with. */
  error: new (...args: never[]) => Error;
}

async function runAttacks(name: string, seed: number, attack: Attack): Promise<void> {
  const rng = new Prng(seed);
  let failures = 0;
  for (let i = 0; i < CASES; i += BATCH) {
    const pairs = [];
    for (let j = 0; j < BATCH; j++) pairs.push(await tcpPair());
    await Promise.all(pairs.map(async (pair, j) => {
      await using _pair = pair;
      const caseRng = new Prng(rng.u32());
      const started = Date.now();
      const subject = attack.subject(pair.server).then(() => null, (error) => error);
      const peer = attack.peer(pair.client, caseRng).catch(() => {});
      const outcome = await subject;
      assert(Date.now() - started < LIMIT_MS, `${name} case ${i + j}: took too long`);
      if (outcome !== null) {
        failures++;
        assert(
          outcome instanceof attack.error,
          `${name} case ${i + j}: ${outcome instanceof Error ? outcome.stack : outcome}`,
        );
        assert(await isClosedLocally(pair.server), `${name} case ${i + j}: connection left open`);
      }
      closeQuietly(pair.client);
      await peer;
    }));
  }
  assert(failures > CASES / 2, `${name}: only ${failures} of ${CASES} cases failed`);
}

async function finish(stream: Deno.TcpConn, rng: Prng): Promise<void> {
  // Mostly end our side (EOF for the subject); sometimes go silent (its deadline must fire).
  if (rng.next() < 0.85) await stream.closeWrite().catch(() => {});
}

const keys: { a: KeyPair; b: KeyPair } = { a: generateKeyPair(), b: generateKeyPair() };

Deno.test("fuzz: network handshake responder", async () => {
  await runAttacks("responder", 0x7a11, {
    error: NetworkHandshakeError,
    subject: (stream) =>
      responderHandshake({
        stream,
        timeoutMs: TIMEOUT_MS,
        checkPort: (port) => port === 45 ? undefined : "not listening on given port",
      }),
    peer: async (stream, rng) => {
      const step = rng.int(3);
      if (step === 0) {
        await writeAll(stream, garble(rng, utf8("get_nonce")));
        return finish(stream, rng);
      }
      await writeAll(stream, utf8("get_nonce"));
      const nonce = decodeFrame1(await readJsonLine(stream, 4096, "Frame1"));
      const frame = encodeFrame2(signFrame2({
        srcAddr: { pk: keys.a.pk, port: 49153 },
        dstAddr: { pk: keys.b.pk, port: rng.pick([45, 45, 46]) },
        nonce,
      }, keys.a.sk));
      await writeAll(stream, step === 1 ? garble(rng, frame) : frame);
      await finish(stream, rng);
    },
  });
});

Deno.test("fuzz: network handshake initiator", async () => {
  await runAttacks("initiator", 0x1417, {
    error: NetworkHandshakeError,
    subject: (stream) =>
      initiatorHandshake({
        stream,
        keyPair: keys.a,
        localPort: 49153,
        remote: { pk: keys.b.pk, port: 45 },
        timeoutMs: TIMEOUT_MS,
      }),
    peer: async (stream, rng) => {
      await stream.read(new Uint8Array(9));
      const frame1 = encodeFrame1(crypto.getRandomValues(new Uint8Array(16)));
      const step = rng.int(2);
      await writeAll(stream, step === 0 ? garble(rng, frame1) : frame1);
      if (step === 1) {
        await readJsonLine(stream, 4096, "Frame2");
        await writeAll(stream, garble(rng, encodeFrame3({ ok: rng.next() < 0.5, errMsg: "" })));
      }
      await finish(stream, rng);
    },
  });
});

Deno.test("fuzz: Noise KK wrap, both roles", async () => {
  for (const initiator of [false, true]) {
    await runAttacks(`encrypt initiator=${initiator}`, initiator ? 0x4b4b : 0x4b4c, {
      error: NetworkHandshakeError,
      subject: (stream) =>
        encryptStream({
          stream,
          keyPair: keys.b,
          remotePk: keys.a.pk,
          initiator,
          timeoutMs: TIMEOUT_MS,
        }),
      peer: async (stream, rng) => {
        const message = new Uint8Array(51);
        message[1] = 49;
        message.set(rng.bytes(49), 2);
        await writeAll(stream, rng.next() < 0.5 ? rng.bytes(rng.int(200)) : mutate(rng, message));
        await finish(stream, rng);
      },
    });
  }
});

Deno.test("fuzz: settlement responder", async () => {
  const line = utf8(
    encodeSignedEntry(newSignedEntry(makeEntry(keys.a.pk, keys.b.pk, "stcpr"), keys.a)) + "\n",
  );
  await runAttacks("settlement responder", 0x5e77, {
    error: SettlementError,
    subject: (stream) =>
      respondSettlement({
        stream,
        keyPair: keys.b,
        remotePk: keys.a.pk,
        type: "stcpr",
        timeoutMs: TIMEOUT_MS,
      }),
    peer: async (stream, rng) => {
      await writeAll(stream, garble(rng, line));
      await finish(stream, rng);
    },
  });
});

Deno.test("fuzz: settlement initiator", async () => {
  await runAttacks("settlement initiator", 0x5e78, {
    error: SettlementError,
    subject: (stream) =>
      initiateSettlement({
        stream,
        keyPair: keys.a,
        remotePk: keys.b.pk,
        type: "stcpr",
        timeoutMs: TIMEOUT_MS,
      }),
    peer: async (stream, rng) => {
      await readJsonLine(stream, 4096, "signed entry");
      await writeAll(stream, rng.bytes(rng.int(3)));
      await finish(stream, rng);
    },
  });
});
