import { assertEquals, assertThrows } from "@std/assert";
import {
  CipherError,
  hexToBytes,
  transportIdFromBytes,
  transportIdToBytes,
} from "../../../mod/cipher/mod.ts";

const TP_ID = "0f1e2d3c-4b5a-0697-8877-665544332211";
const TP_ID_HEX = "0f1e2d3c4b5a06978877665544332211";

Deno.test("transport id text and bytes convert both ways", () => {
  assertEquals(transportIdToBytes(TP_ID), hexToBytes(TP_ID_HEX));
  assertEquals(transportIdToBytes(TP_ID.toUpperCase()), hexToBytes(TP_ID_HEX));
  assertEquals(transportIdFromBytes(hexToBytes(TP_ID_HEX)), TP_ID);
  assertThrows(() => transportIdToBytes(TP_ID_HEX), CipherError);
  assertThrows(() => transportIdFromBytes(new Uint8Array(17)), CipherError);
});
