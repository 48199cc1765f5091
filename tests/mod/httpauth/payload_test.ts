import { assertEquals, assertThrows } from "@std/assert";
import { CipherError, generateKeyPair } from "../../../mod/cipher/mod.ts";
import { payloadWithNonce, signRequest, verifyRequest } from "../../../mod/httpauth/mod.ts";

const enc = new TextEncoder();

Deno.test("payloadWithNonce appends the decimal nonce to the body bytes", () => {
  assertEquals(payloadWithNonce(enc.encode("[1]\n"), 42n), enc.encode("[1]\n42"));
  assertEquals(payloadWithNonce(new Uint8Array(0), 0n), enc.encode("0"));
  assertEquals(
    payloadWithNonce(new Uint8Array([0xff, 0x00]), 18446744073709551615n),
    new Uint8Array([0xff, 0x00, ...enc.encode("18446744073709551615")]),
  );
});

Deno.test("a request signature verifies for its body and nonce only", () => {
  const { pk, sk } = generateKeyPair();
  const other = generateKeyPair();
  const body = enc.encode('{"a":1}');
  const sig = signRequest(body, 7n, sk);
  verifyRequest(body, 7n, pk, sig);
  assertThrows(() => verifyRequest(body, 8n, pk, sig), CipherError);
  assertThrows(() => verifyRequest(enc.encode('{"a":2}'), 7n, pk, sig), CipherError);
  assertThrows(() => verifyRequest(body, 7n, other.pk, sig), CipherError);
  // body "1" + nonce 23 and body "12" + nonce 3 sign the same bytes, as in Go.
  verifyRequest(enc.encode("12"), 3n, pk, signRequest(enc.encode("1"), 23n, sk));
});
