import { assertEquals, assertMatch } from "@std/assert";
import { certificateFingerprint, parsePem } from "../../../mod/tls/mod.ts";
import { Prng } from "../../_util/prng.ts";

Deno.test("parsePem reads blocks in order and skips bodies that are not base64", () => {
  const text = [
    "junk before",
    "-----BEGIN CERTIFICATE-----",
    "AAEC",
    "AwQ=",
    "-----END CERTIFICATE-----",
    "-----BEGIN PRIVATE KEY-----\n!!notbase64!!\n-----END PRIVATE KEY-----",
    "-----BEGIN EC PRIVATE KEY-----\nBQY=\n-----END EC PRIVATE KEY-----",
    "-----BEGIN CERTIFICATE-----\nAAEC\n-----END PRIVATE KEY-----", // mismatched labels
  ].join("\n");
  const blocks = parsePem(text);
  assertEquals(blocks.map((b) => b.label), ["CERTIFICATE", "EC PRIVATE KEY"]);
  assertEquals([...blocks[0].der], [0, 1, 2, 3, 4]);
  assertEquals([...blocks[1].der], [5, 6]);
});

Deno.test("parsePem never throws on random and mutated input", () => {
  const prng = new Prng(0x7e5);
  const base = "-----BEGIN CERTIFICATE-----\nMIIBQjCB6aADAgECAgEBMAoGCCqGSM49BAMC\n" +
    "-----END CERTIFICATE-----\n";
  for (let i = 0; i < 500; i++) {
    const chars = [...base];
    for (let m = prng.u32() % 8; m > 0; m--) {
      chars[prng.u32() % chars.length] = String.fromCharCode(prng.u32() % 128);
    }
    for (const block of parsePem(chars.join(""))) assertEquals(typeof block.label, "string");
    const random = String.fromCharCode(...Array.from({ length: 200 }, () => prng.u32() % 256));
    parsePem(random);
  }
});

Deno.test("certificateFingerprint is SHA-256 as colon-separated upper-case hex", async () => {
  const fingerprint = await certificateFingerprint(new TextEncoder().encode("abc"));
  assertMatch(fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assertEquals(fingerprint.slice(0, 11), "BA:78:16:BF"); // SHA-256("abc") = ba7816bf…
});
