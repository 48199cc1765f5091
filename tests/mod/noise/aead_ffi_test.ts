/**
 * The libcrypto (FFI) AEAD backend gives node:crypto's bytes and decisions: seeded random keys,
 * nonces, associated data and sizes (empty to 70 KiB), tampered bytes, wrong sizes, and frames
 * crossing backends. Skipped, with the reason, where the library cannot be opened.
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import { bytesToHex } from "../../../mod/cipher/mod.ts";
import {
  aeadSelfTest,
  aeadStatus,
  getAead,
  loadAead,
  NoiseDecryptError,
  NoiseError,
} from "../../../mod/noise/mod.ts";
import { openFfiAead } from "../../../mod/noise/_aead_ffi.ts";
import { Prng } from "./_util.ts";
import { assertFfiFallbackWithoutPermissions } from "../../_util/no_permissions.ts";

const opened = openFfiAead();
const skip = opened.aead === undefined ? opened.reason : undefined;
if (skip) console.log(`libcrypto (ffi) AEAD tests ignored: ${skip}`);
const ffi = opened.aead!;
const node = await loadAead("node"), noble = await loadAead("noble");

Deno.test({
  name: "ffi AEAD: passes the self-test and is the automatic choice",
  ignore: skip !== undefined,
  fn() {
    assert(aeadSelfTest(ffi));
    assertEquals(getAead("ffi"), ffi);
    assertEquals(getAead(), ffi);
    assertEquals(aeadStatus(), { backend: "ffi" });
  },
});

Deno.test({
  name: "ffi AEAD: identical bytes to node:crypto on random inputs, and each opens the other's",
  ignore: skip !== undefined,
  fn() {
    const prng = new Prng(0xff1a);
    for (let i = 0; i < 3_000; i++) {
      const key = prng.bytes(32), nonce = prng.bytes(12);
      const ad = prng.bytes(prng.int(3) === 0 ? prng.int(80) : 0);
      const size = i % 40 === 0 ? 4070 + prng.int(70_000) : i % 7 === 0 ? 0 : prng.int(5_000);
      const plaintext = prng.bytes(size);
      const a = new Uint8Array(size + 16), b = new Uint8Array(size + 16);
      ffi.seal(key, nonce, plaintext, ad, a);
      node.seal(key, nonce, plaintext, ad, b);
      assertEquals(bytesToHex(a), bytesToHex(b));
      assertEquals(bytesToHex(ffi.open(key, nonce, b, ad)), bytesToHex(plaintext));
      assertEquals(bytesToHex(noble.open(key, nonce, a, ad)), bytesToHex(plaintext));
    }
  },
});

Deno.test({
  name: "ffi AEAD: a tampered byte, nonce or associated data fails, and the next open still works",
  ignore: skip !== undefined,
  fn() {
    const prng = new Prng(0x7a4);
    const key = prng.bytes(32), nonce = prng.bytes(12), ad = prng.bytes(20);
    const plaintext = prng.bytes(300);
    const sealed = new Uint8Array(316);
    ffi.seal(key, nonce, plaintext, ad, sealed);
    for (let at = 0; at < sealed.length; at++) {
      const bad = sealed.slice();
      bad[at] ^= 1 << (at % 8);
      assertThrows(() => ffi.open(key, nonce, bad, ad), NoiseDecryptError);
      // A failed open leaves nothing behind in the reused context.
      if (at % 50 === 0) assertEquals(ffi.open(key, nonce, sealed, ad), plaintext);
    }
    const badNonce = nonce.slice();
    badNonce[0] ^= 1;
    assertThrows(() => ffi.open(key, badNonce, sealed, ad), NoiseDecryptError);
    assertThrows(() => ffi.open(key, nonce, sealed, ad.subarray(1)), NoiseDecryptError);
    assertThrows(() => ffi.open(key, nonce, sealed, new Uint8Array(0)), NoiseDecryptError);
    assertThrows(() => ffi.open(key, nonce, sealed.subarray(0, 15), ad), NoiseDecryptError);
    assertEquals(ffi.open(key, nonce, sealed, ad), plaintext);
  },
});

Deno.test({
  name: "ffi AEAD: openInPlace gives open's plaintext as a view of the sealed bytes",
  ignore: skip !== undefined,
  fn() {
    const prng = new Prng(0x1a1a);
    for (let i = 0; i < 500; i++) {
      const key = prng.bytes(32), nonce = prng.bytes(12), ad = prng.bytes(i % 3 ? 0 : 30);
      const plaintext = prng.bytes(i % 25 === 0 ? 0 : prng.int(9_000));
      const frame = new Uint8Array(8 + plaintext.length + 16);
      const sealed = frame.subarray(8);
      ffi.seal(key, nonce, plaintext, ad, sealed);
      const copy = sealed.slice();
      if (i % 10 === 9) {
        copy[prng.int(copy.length)] ^= 1 << prng.int(8);
        assertThrows(() => ffi.openInPlace!(key, nonce, copy, ad), NoiseDecryptError);
        continue;
      }
      const opened = ffi.openInPlace!(key, nonce, sealed, ad);
      assertEquals(opened, plaintext);
      assertEquals(opened.buffer, frame.buffer);
      assertEquals(opened.byteOffset, 8);
      assertEquals(ffi.open(key, nonce, copy, ad), plaintext);
    }
  },
});

Deno.test({
  name: "ffi AEAD: wrong key, nonce or output sizes are refused before the library is called",
  ignore: skip !== undefined,
  fn() {
    const key = new Uint8Array(32), nonce = new Uint8Array(12), plaintext = new Uint8Array(10);
    const empty = new Uint8Array(0);
    assertThrows(() => ffi.seal(key.subarray(1), nonce, plaintext, empty, new Uint8Array(26)));
    assertThrows(() => ffi.seal(key, new Uint8Array(8), plaintext, empty, new Uint8Array(26)));
    assertThrows(() => ffi.seal(key, nonce, plaintext, empty, new Uint8Array(25)), RangeError);
    assertThrows(() => ffi.seal(key, nonce, plaintext, empty, new Uint8Array(27)), RangeError);
    const sealed = new Uint8Array(26);
    ffi.seal(key, nonce, plaintext, empty, sealed);
    assertThrows(() => ffi.open(new Uint8Array(31), nonce, sealed, empty), RangeError);
    assertThrows(() => ffi.open(key, new Uint8Array(13), sealed, empty), RangeError);
    assertEquals(ffi.open(key, nonce, sealed, empty), plaintext);
  },
});

Deno.test("without the FFI permission the automatic AEAD choice falls back silently", async () => {
  await assertFfiFallbackWithoutPermissions(
    new URL("../../../mod/noise/mod.ts", import.meta.url),
    "getAead",
    "aeadStatus",
    new NoiseError("x").name,
  );
});
