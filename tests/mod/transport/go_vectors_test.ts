/**
 * The transport handshake frames and entries against the bytes Go 2024 wrote, and our decoders
 * against what a Go responder accepts or refuses (`transport` in the Go vectors).
 */
import { assert, assertEquals, assertRejects } from "@std/assert";
import { bytesToHex, hexToBytes, Sig } from "../../../mod/cipher/mod.ts";
import {
  decodeFrame1,
  decodeFrame2,
  decodeFrame3,
  decodeSignedEntry,
  encodeEntry,
  encodeFrame1,
  encodeFrame2,
  encodeFrame3,
  encodeSignedEntry,
  entryMismatch,
  entryToBinary,
  makeEntry,
  MalformedFrameError,
  newSignedEntry,
  signEntry,
  signFrame2,
  TransportEntryError,
  TransportLabel,
  TransportType,
  verifyEntrySignature,
  verifyFrame2,
} from "../../../mod/transport/mod.ts";
import { readJsonLine } from "../../../mod/transport/_line.ts";
import { bytesReader, goKeys, text, utf8, vectors } from "./_helpers.ts";

const v = vectors.transport;
const { initiator, responder } = goKeys;
const nonce = hexToBytes(v.nonce);

Deno.test("Frame1 and Frame3 are Go's json.Encoder lines", () => {
  assertEquals(v.frame0, "get_nonce");
  assertEquals(text(encodeFrame1(nonce)), v.frame1);
  assertEquals(decodeFrame1(utf8(v.frame1.trimEnd())), nonce);
  assertEquals(text(encodeFrame3({ ok: true, errMsg: "" })), v.frame3_ok);
  assertEquals(
    text(encodeFrame3({ ok: false, errMsg: "not listening on given port" })),
    v.frame3_refused,
  );
  const escaped = { ok: false, errMsg: 'a<b>&c"d\\e\n\t\x01\u2028' };
  assertEquals(text(encodeFrame3(escaped)), v.frame3_escaped);
  assertEquals(decodeFrame3(utf8(v.frame3_escaped.trimEnd())), escaped);
});

Deno.test("Frame2 signs the same bytes as Go and verifies Go's signature", () => {
  const frame = signFrame2({
    srcAddr: { pk: initiator.pk, port: 49153 },
    dstAddr: { pk: responder.pk, port: 45 },
    nonce,
  }, initiator.sk);
  assertEquals(text(encodeFrame2({ ...frame, sig: Sig.zero() })), v.frame2_unsigned);
  // Both sides sign with the RFC 6979 nonce, so the whole line matches.
  assertEquals(text(encodeFrame2(frame)), v.frame2_signed);
  const decoded = decodeFrame2(utf8(v.frame2_signed.trimEnd()));
  verifyFrame2(decoded, nonce);
  assertEquals(decoded.srcAddr.port, 49153);
  assert(decoded.dstAddr.pk.equals(responder.pk));
});

Deno.test("Frame2 variants: we accept exactly what a Go responder accepts", async () => {
  assert(v.frame2_cases.length >= 20);
  for (const c of v.frame2_cases) {
    let ours = "ok";
    try {
      const value = await readJsonLine(bytesReader(utf8(c.line), 7), 4096, "Frame2");
      verifyFrame2(decodeFrame2(value), nonce);
    } catch (error) {
      ours = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    assertEquals(
      ours === "ok",
      c.go_result === "ok",
      `${c.name}: Go "${c.go_result}", we "${ours}"`,
    );
  }
});

Deno.test("entries and signed entries are Go's bytes", () => {
  const entry = makeEntry(initiator.pk, responder.pk, TransportType.stcpr);
  assertEquals(encodeEntry(entry) + "\n", v.entry.json);
  assertEquals(bytesToHex(entryToBinary(entry)), v.entry.binary);
  const one = newSignedEntry(entry, initiator);
  assertEquals(encodeSignedEntry(one) + "\n", v.signed_entry_initiator);
  const both = signEntry(one, responder);
  assertEquals(encodeSignedEntry(both) + "\n", v.signed_entry_countersigned);
  assertEquals(encodeSignedEntry({ ...both, registered: 1700000000 }), v.signed_entry_registered);
  const dmsg = makeEntry(responder.pk, initiator.pk, TransportType.dmsg, TransportLabel.automatic);
  assertEquals(
    encodeSignedEntry(newSignedEntry(dmsg, responder)) + "\n",
    v.signed_entry_dmsg_automatic,
  );

  const decoded = decodeSignedEntry(utf8(v.signed_entry_registered));
  assertEquals(encodeSignedEntry(decoded), v.signed_entry_registered);
  verifyEntrySignature(decoded, initiator.pk);
  verifyEntrySignature(decoded, responder.pk);
});

Deno.test("signed entry variants: we accept exactly what a Go settlement responder accepts", async () => {
  const expected = makeEntry(responder.pk, initiator.pk, TransportType.stcpr);
  assert(v.signed_entry_cases.length >= 15);
  for (const c of v.signed_entry_cases) {
    let ours = "ok";
    try {
      const value = await readJsonLine(bytesReader(utf8(c.line), 5), 4096, "signed entry");
      const received = decodeSignedEntry(value);
      const mismatch = entryMismatch(expected, received.entry);
      if (mismatch) throw new Error(mismatch);
      verifyEntrySignature(received, initiator.pk);
    } catch (error) {
      ours = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    assertEquals(
      ours === "ok",
      c.go_result === "ok",
      `${c.name}: Go "${c.go_result}", we "${ours}"`,
    );
  }
});

Deno.test("decoders refuse with typed errors", async () => {
  for (
    const bad of ["", "[", "{}x", "nul", '{"Nonce":"abc"}', '{"Nonce":[1.5]}', '{"Nonce":[256]}']
  ) {
    let caught: unknown;
    try {
      decodeFrame1(utf8(bad));
    } catch (error) {
      caught = error;
    }
    assert(caught instanceof MalformedFrameError, bad);
  }
  for (const bad of ['{"entry":{"t_id":"x"}}', '{"entry":{"edges":["zz"]}}', "[]", "{"]) {
    let caught: unknown;
    try {
      decodeSignedEntry(utf8(bad));
    } catch (error) {
      caught = error;
    }
    assert(caught instanceof TransportEntryError, bad);
  }
  // A line that never ends, bytes after the newline, a scalar instead of an object.
  await assertRejects(
    () => readJsonLine(bytesReader(utf8("{".repeat(5000))), 4096, "x"),
    MalformedFrameError,
  );
  await assertRejects(
    () => readJsonLine(bytesReader(utf8('{"a":1}\n\x00')), 4096, "x"),
    MalformedFrameError,
  );
  await assertRejects(
    () => readJsonLine(bytesReader(utf8("12\n")), 4096, "x"),
    MalformedFrameError,
  );
  await assertRejects(
    () => readJsonLine(bytesReader(utf8('{"a":"}\n')), 4096, "x"),
    MalformedFrameError,
  );
  assertEquals(
    text(await readJsonLine(bytesReader(utf8(' {"a":"}\\""} \r\n'), 1), 64, "x")),
    '{"a":"}\\""}',
  );
});
