import { assertEquals } from "@std/assert";
import {
  bitString,
  objectIdentifier,
  sequence,
  time,
  tlv,
  unsignedInteger,
} from "../../../mod/tls/_der.ts";

const hex = (bytes: Uint8Array) => bytes.toHex();

Deno.test("DER: OIDs, minimal unsigned INTEGERs, long lengths, BIT STRINGs (X.690 examples)", () => {
  assertEquals(hex(objectIdentifier("1.2.840.10045.4.3.2")), "06082a8648ce3d040302");
  assertEquals(hex(objectIdentifier("2.5.29.17")), "0603551d11");
  assertEquals(hex(unsignedInteger(new Uint8Array([0, 0, 0x7f]))), "02017f");
  assertEquals(hex(unsignedInteger(new Uint8Array([0x80]))), "02020080");
  assertEquals(hex(unsignedInteger(new Uint8Array([0]))), "020100");
  assertEquals(hex(tlv(0x04, new Uint8Array(200))).slice(0, 6), "0481c8");
  assertEquals(hex(tlv(0x04, new Uint8Array(300))).slice(0, 8), "0482012c");
  assertEquals(hex(bitString(new Uint8Array([0x80]), 7)), "03020780");
  assertEquals(hex(sequence()), "3000");
});

Deno.test("DER: times are UTCTime to 2049 and GeneralizedTime from 2050, to the second", () => {
  const ascii = (s: string) => new TextEncoder().encode(s).toHex();
  assertEquals(hex(time(new Date("2026-12-02T06:07:08.999Z"))), "170d" + ascii("261202060708Z"));
  assertEquals(hex(time(new Date("2050-01-01T00:00:00Z"))), "180f" + ascii("20500101000000Z"));
});
