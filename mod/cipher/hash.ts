import { sha256 as sha256Js } from "@noble/hashes/sha2.js";
import { concatBytes } from "../conn/mod.ts";
import { LIBCRYPTO_ENV, libcryptoNames, openSystemLibrary } from "../ffi/mod.ts";
import { bytesToHex } from "./hex.ts";
import { nodeCrypto } from "./node_crypto.ts";

const DIGEST_SIZE = 32;

const SYMBOLS = {
  // unsigned char *SHA256(const unsigned char *d, size_t n, unsigned char *md)
  SHA256: { parameters: ["buffer", "usize", "buffer"], result: "pointer" },
  EVP_sha256: { parameters: [], result: "pointer" },
  // unsigned char *HMAC(const EVP_MD *md, const void *key, int key_len,
  //                     const unsigned char *d, size_t n, unsigned char *md, unsigned int *md_len)
  HMAC: {
    parameters: ["pointer", "buffer", "i32", "buffer", "usize", "buffer", "pointer"],
    result: "pointer",
  },
} as const satisfies Deno.ForeignLibraryInterface;

// Known answers the library must give before it is used: FIPS 180-2's SHA-256("abc") and
// RFC 4231 test case 2 for HMAC-SHA-256.
const encoder = new TextEncoder();
const KAT_INPUT = encoder.encode("abc");
const KAT_DIGEST = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const KAT_HMAC_KEY = encoder.encode("Jefe");
const KAT_HMAC_INPUT = encoder.encode("what do ya want for nothing?");
const KAT_HMAC = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
// HMAC pads a short key with zeros to the block size, so the empty key and one zero byte are
// the same key; the library is handed the latter (it may refuse a null key pointer).
const ZERO_KEY = new Uint8Array(1);

interface FfiHashes {
  digest(data: Uint8Array): Uint8Array;
  hmac(key: Uint8Array, data: Uint8Array): Uint8Array;
}

function makeFfiHashes(lib: Deno.DynamicLibrary<typeof SYMBOLS>["symbols"]): FfiHashes | undefined {
  const md = lib.EVP_sha256();
  if (md === null) return undefined;
  const hashes: FfiHashes = {
    digest(data) {
      const out = new Uint8Array(DIGEST_SIZE);
      lib.SHA256(data, BigInt(data.length), out);
      return out;
    },
    hmac(key, data) {
      const out = new Uint8Array(DIGEST_SIZE);
      if (key.length === 0) key = ZERO_KEY;
      if (lib.HMAC(md, key, key.length, data, BigInt(data.length), out, null) === null) {
        throw new Error("libcrypto HMAC failed");
      }
      return out;
    },
  };
  try {
    if (bytesToHex(hashes.digest(KAT_INPUT)) !== KAT_DIGEST) return undefined;
    if (bytesToHex(hashes.hmac(KAT_HMAC_KEY, KAT_HMAC_INPUT)) !== KAT_HMAC) return undefined;
  } catch {
    return undefined;
  }
  return hashes;
}

let ffi: FfiHashes | undefined;
let ffiTried = false;

/**
 * Hash with the system's libcrypto over FFI from now on, if it opens and gives the known
 * answers (one-shot SHA256: here 0.8 µs at 33 bytes, ~1 µs for a 480-byte discovery entry,
 * where `@noble/hashes` takes 3-5 µs and node:crypto's hash object 1.6 at 33 and 2.6 at 300;
 * and HMAC); returns whether it does. Called by what maps libcrypto for its own work anyway,
 * the noise AEAD as it opens the library: a process without noise (a dmsg discovery, which
 * hashes once per registration) never maps libcrypto, 3.3 MiB of its resident set, and hashes
 * in JavaScript. The bytes are the same either way. Never throws, never prompts; the library
 * is opened once (call it when a module loads: a library opened inside a `Deno.test` is
 * reported as a leak).
 */
export function useNativeHashes(): boolean {
  if (!ffiTried) {
    ffiTried = true;
    ffi = openSystemLibrary({
      what: "libcrypto",
      envVariable: LIBCRYPTO_ENV,
      names: libcryptoNames(),
      symbols: SYMBOLS,
      make: makeFfiHashes,
    }).value;
  }
  return ffi !== undefined;
}

function joined(data: Uint8Array[]): Uint8Array {
  return data.length === 1 ? data[0] : concatBytes(data);
}

function fromBuffer(digest: Uint8Array): Uint8Array {
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

/**
 * SHA-256 of the concatenation of `data`: libcrypto's after {@linkcode useNativeHashes}, else
 * `@noble/hashes`.
 */
export function sha256(...data: Uint8Array[]): Uint8Array {
  return ffi !== undefined ? ffi.digest(joined(data)) : sha256Js(joined(data));
}

/**
 * HMAC-SHA-256 of the concatenation of `data` under `key`: libcrypto's after
 * {@linkcode useNativeHashes} (noise, its one user, has called it), else node:crypto's.
 */
export function hmacSha256(key: Uint8Array, ...data: Uint8Array[]): Uint8Array {
  if (ffi !== undefined) return ffi.hmac(key, joined(data));
  const mac = nodeCrypto().createHmac("sha256", key);
  for (const part of data) mac.update(part);
  return fromBuffer(mac.digest());
}
