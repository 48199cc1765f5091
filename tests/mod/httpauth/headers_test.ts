import { assertEquals, assertThrows } from "@std/assert";
import { generateKeyPair } from "../../../mod/cipher/mod.ts";
import {
  AuthHeaderError,
  goStdJsonString,
  parseAuthHeaders,
  parseNonce,
  signRequest,
} from "../../../mod/httpauth/mod.ts";
import { Prng } from "../../_util/prng.ts";

const { pk, sk } = generateKeyPair();
const sig = signRequest(new Uint8Array(0), 5n, sk).hex();

function headers(fields: Record<string, string>): Headers {
  return new Headers(fields);
}

Deno.test("parseAuthHeaders reads the three headers", () => {
  const auth = parseAuthHeaders(headers({ "SW-Public": pk.hex(), "SW-Nonce": "5", "SW-Sig": sig }));
  assertEquals(auth.pk.hex(), pk.hex());
  assertEquals(auth.nonce, 5n);
  assertEquals(auth.sig.hex(), sig);
  // Header names are case-insensitive and hex may be upper case, as in Go.
  const upper = parseAuthHeaders(
    headers({ "sw-public": pk.hex().toUpperCase(), "sw-nonce": "0005", "sw-sig": sig }),
  );
  assertEquals(upper.nonce, 5n);
});

Deno.test("parseAuthHeaders refuses with Go's messages in Go's order", () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{}, "SW-Public missing"],
    [{ "SW-Public": "zz" }, "error parsing SW-Public: Invalid public key"],
    [{ "SW-Public": "02ab" }, "error parsing SW-Public: Invalid public key length"],
    [{ "SW-Public": pk.hex() }, "SW-Sig missing"],
    [{ "SW-Public": pk.hex(), "SW-Sig": "zz" }, "error parsing SW-Sig:'zz': Invalid signature"],
    [
      { "SW-Public": pk.hex(), "SW-Sig": "00" },
      "error parsing SW-Sig:'00': Invalid signature length",
    ],
    [{ "SW-Public": pk.hex(), "SW-Sig": sig }, "SW-Nonce missing"],
    [
      { "SW-Public": pk.hex(), "SW-Sig": sig, "SW-Nonce": "x" },
      "error parsing SW-Nonce: invalid syntax",
    ],
    [
      { "SW-Public": pk.hex(), "SW-Sig": sig, "SW-Nonce": "-1" },
      "error parsing SW-Nonce: invalid syntax",
    ],
    [
      { "SW-Public": pk.hex(), "SW-Sig": sig, "SW-Nonce": "+1" },
      "error parsing SW-Nonce: invalid syntax",
    ],
    [
      { "SW-Public": pk.hex(), "SW-Sig": sig, "SW-Nonce": "18446744073709551616" },
      "error parsing SW-Nonce: value out of range",
    ],
  ];
  for (const [fields, message] of cases) {
    const error = assertThrows(() => parseAuthHeaders(headers(fields)), AuthHeaderError);
    assertEquals(error.message, message);
  }
  // All zeros is Go's null key: it parses, and verification refuses it later.
  assertEquals(
    parseAuthHeaders(headers({ "SW-Public": "000", "SW-Sig": sig, "SW-Nonce": "1" })).pk.isNull(),
    true,
  );
});

Deno.test("parseNonce follows strconv.ParseUint base 10", () => {
  assertEquals(parseNonce("0"), 0n);
  assertEquals(parseNonce("18446744073709551615"), 18446744073709551615n);
  assertEquals(parseNonce("18446744073709551616"), "value out of range");
  for (const bad of ["", " 1", "1 ", "0x1", "1_000", "1e3", "١"]) {
    assertEquals(parseNonce(bad), "invalid syntax", bad);
  }
});

Deno.test("fuzz: header parsing gives a value or AuthHeaderError, nothing else", () => {
  const prng = new Prng(0x5eed_0001);
  const alphabet = "0123456789abcdefABCDEFxyz -+_:'\"\\\u00e9";
  const pieces = [pk.hex(), sig, "5", "0", "18446744073709551615", ""];
  const mutate = (text: string): string => {
    const chars = [...text];
    const n = 1 + prng.int(4);
    for (let i = 0; i < n; i++) {
      const at = prng.int(chars.length + 1);
      const op = prng.int(3);
      if (op === 0) chars.splice(at, 1);
      else if (op === 1) chars.splice(at, 0, prng.pick([...alphabet]));
      else chars[at] = prng.pick([...alphabet]);
    }
    return chars.join("");
  };
  for (let round = 0; round < 3_000; round++) {
    const fields: Record<string, string> = {};
    for (const name of ["SW-Public", "SW-Sig", "SW-Nonce"]) {
      if (prng.int(8) === 0) continue;
      const base = prng.pick(pieces);
      fields[name] = prng.int(2) === 0 ? mutate(base) : base;
    }
    try {
      parseAuthHeaders(headers(fields));
    } catch (error) {
      if (!(error instanceof AuthHeaderError)) throw error;
      // Every refusal can be written as a Go JSON string.
      JSON.parse(goStdJsonString(error.message));
    }
  }
});
