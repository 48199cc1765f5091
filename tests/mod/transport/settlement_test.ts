import { assert, assertEquals, assertInstanceOf, assertRejects } from "@std/assert";
import { generateKeyPair, type KeyPair } from "../../../mod/cipher/mod.ts";
import { readFull, writeAll } from "../../../mod/conn/mod.ts";
import { encodePacket, PacketReader, PacketType } from "../../../mod/routing/mod.ts";
import {
  encodeSignedEntry,
  encryptStream,
  initiateSettlement,
  makeEntry,
  newSignedEntry,
  respondSettlement,
  SettlementError,
  SettlementResult,
  type SignedTransportEntry,
  TransportLabel,
  verifyEntrySignature,
} from "../../../mod/transport/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { readToEnd, tcpPair, text, utf8 } from "./_helpers.ts";

async function encryptedPair(a: KeyPair, b: KeyPair) {
  const pair = await tcpPair();
  const [ea, eb] = await Promise.all([
    encryptStream({ stream: pair.client, keyPair: a, remotePk: b.pk, initiator: true }),
    encryptStream({ stream: pair.server, keyPair: b, remotePk: a.pk, initiator: false }),
  ]);
  return { a: ea, b: eb, [Symbol.asyncDispose]: () => pair[Symbol.asyncDispose]() };
}

Deno.test("settlement over Noise-wrapped TCP: countersigned, registered, packets follow intact", async () => {
  const a = generateKeyPair(), b = generateKeyPair();
  await using conns = await encryptedPair(a, b);
  const registered: SignedTransportEntry[] = [];
  const [sent, countersigned] = await Promise.all([
    (async () => {
      const signed = await initiateSettlement({
        stream: conns.a,
        keyPair: a,
        remotePk: b.pk,
        type: "stcpr",
        label: TransportLabel.automatic,
      });
      // Packets right after the OK byte, as a Go initiator sends them.
      await writeAll(
        conns.a,
        encodePacket({ type: PacketType.Data, routeId: 7, payload: utf8("first packet") }),
      );
      return signed;
    })(),
    respondSettlement({
      stream: conns.b,
      keyPair: b,
      remotePk: a.pk,
      type: "stcpr",
      register: (signed) => {
        registered.push(signed);
        return Promise.resolve();
      },
    }),
  ]);
  assertEquals(sent.entry.label, "automatic");
  assertEquals(countersigned.entry.id, makeEntry(a.pk, b.pk, "stcpr").id);
  assertEquals(countersigned.entry.label, "automatic", "the label is the initiator's");
  verifyEntrySignature(countersigned, a.pk);
  verifyEntrySignature(countersigned, b.pk);
  assertEquals(registered.length, 1);
  assertEquals(encodeSignedEntry(registered[0]), encodeSignedEntry(countersigned));
  const packet = await new PacketReader(conns.b).next();
  assertEquals(packet?.routeId, 7);
  assertEquals(text(packet!.payload), "first packet");
});

Deno.test("a mismatched entry gets result 3; the initiator reports Go's words", async () => {
  const a = generateKeyPair(), b = generateKeyPair();
  await using pair = await tcpPair();
  const [init, resp] = await Promise.allSettled([
    initiateSettlement({ stream: pair.client, keyPair: a, remotePk: b.pk, type: "stcp" }),
    respondSettlement({ stream: pair.server, keyPair: b, remotePk: a.pk, type: "stcpr" }),
  ]);
  assert(init.status === "rejected" && resp.status === "rejected");
  assertInstanceOf(init.reason, SettlementError);
  assertEquals(init.reason.result, SettlementResult.invalidEntry);
  assertEquals(init.reason.message, "settlement handshake failed: invalid entry");
  assertInstanceOf(resp.reason, SettlementError);
  assertEquals(resp.reason.step, "entry");
  assert(resp.reason.message.includes("'tp_id' is not of expected"), resp.reason.message);
});

Deno.test("an entry signed by someone else gets result 3", async () => {
  const a = generateKeyPair(), b = generateKeyPair(), mallory = generateKeyPair();
  await using pair = await tcpPair();
  const responder = respondSettlement({
    stream: pair.server,
    keyPair: b,
    remotePk: a.pk,
    type: "dmsg",
  });
  // Mallory signs a's slot: the edges are a and b, the signature is not a's.
  const entry = makeEntry(a.pk, b.pk, "dmsg");
  const forged = newSignedEntry(entry, a);
  const index = entry.edges[0].equals(a.pk) ? 0 : 1;
  forged.signatures[index] =
    newSignedEntry(makeEntry(mallory.pk, b.pk, "dmsg"), mallory).signatures[
      makeEntry(mallory.pk, b.pk, "dmsg").edges[0].equals(mallory.pk) ? 0 : 1
    ];
  await writeAll(pair.client, utf8(encodeSignedEntry(forged) + "\n"));
  await assertRejects(() => responder, SettlementError);
  assertEquals(await readToEnd(pair.client), Uint8Array.of(3));
});

Deno.test("every result byte other than 1 is a typed failure with Go's message", async () => {
  const cases: [number, string][] = [
    [0, "transport settlement rejected by remote"],
    [2, "signature error"],
    [3, "invalid entry"],
    [9, "invalid remote response"],
  ];
  for (const [byte, message] of cases) {
    const a = generateKeyPair(), b = generateKeyPair();
    await using pair = await tcpPair();
    const initiator = initiateSettlement({
      stream: pair.client,
      keyPair: a,
      remotePk: b.pk,
      type: "stcpr",
    });
    const line = new Uint8Array(4096);
    await pair.server.read(line);
    await writeAll(pair.server, Uint8Array.of(byte));
    const error = await assertRejects(() => initiator, SettlementError);
    assertEquals(error.message, `settlement handshake failed: ${message}`);
    assertEquals(error.result, byte);
  }
});

Deno.test("a failing or hanging registration is logged and the transport still settles", async () => {
  for (const mode of ["fails", "hangs"] as const) {
    const a = generateKeyPair(), b = generateKeyPair();
    await using pair = await tcpPair();
    const logger = captureLogger("warn");
    const [init, resp] = await Promise.all([
      initiateSettlement({ stream: pair.client, keyPair: a, remotePk: b.pk, type: "stcpr" }),
      respondSettlement({
        stream: pair.server,
        keyPair: b,
        remotePk: a.pk,
        type: "stcpr",
        logger,
        registerWaitMs: 100,
        register: () =>
          mode === "fails" ? Promise.reject(new Error("tpd down")) : new Promise(() => {}),
      }),
    ]);
    assertEquals(init.entry.id, resp.entry.id);
    assert(
      logger.lines.some((line) => line.includes(mode === "fails" ? "tpd down" : "pending")),
      mode,
    );
  }
});

Deno.test("a silent peer times out on both sides of the settlement", async () => {
  const a = generateKeyPair(), b = generateKeyPair();
  {
    await using pair = await tcpPair();
    const error = await assertRejects(
      () =>
        respondSettlement({
          stream: pair.server,
          keyPair: b,
          remotePk: a.pk,
          type: "stcpr",
          timeoutMs: 150,
        }),
      SettlementError,
    );
    assertEquals(error.step, "timeout");
  }
  {
    await using pair = await tcpPair();
    const error = await assertRejects(
      () =>
        initiateSettlement({
          stream: pair.client,
          keyPair: a,
          remotePk: b.pk,
          type: "stcpr",
          timeoutMs: 150,
        }),
      SettlementError,
    );
    assertEquals(error.step, "timeout");
    const line = await readToEnd(pair.server);
    assert(text(line).endsWith("}\n"));
  }
});

Deno.test("the responder answers only after it read the whole line", async () => {
  // The initiator's line arrives a few bytes at a time.
  const a = generateKeyPair(), b = generateKeyPair();
  await using pair = await tcpPair();
  const responder = respondSettlement({
    stream: pair.server,
    keyPair: b,
    remotePk: a.pk,
    type: "stcpr",
  });
  const line = utf8(encodeSignedEntry(newSignedEntry(makeEntry(a.pk, b.pk, "stcpr"), a)) + "\n");
  for (let i = 0; i < line.length; i += 50) {
    await writeAll(pair.client, line.subarray(i, i + 50));
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const answer = new Uint8Array(1);
  await readFull(pair.client, answer);
  assertEquals(answer[0], SettlementResult.ok);
  await responder;
});
