import { useNativeHashes } from "../cipher/mod.ts";
import { LIBCRYPTO_ENV, libcryptoNames, openSystemLibrary } from "../ffi/mod.ts";
import { TAG_SIZE } from "./constants.ts";
import { NoiseDecryptError } from "./errors.ts";
import type { Aead } from "./aead.ts";

/**
 * ChaCha20-Poly1305 from the system's OpenSSL `libcrypto` over Deno FFI. `node:crypto` builds a
 * Node stream object per `createCipheriv`: at a dmsg frame (4 KiB) that setup cost about three
 * times the cipher itself, and its garbage kept the collector busy, so a bulk download spent
 * more CPU decrypting than Go's whole client. Here one reusable context per direction does a
 * frame in a few FFI calls and no allocation beyond the plaintext. Optional: without the FFI
 * permission or the library {@linkcode openFfiAead} says why and the caller uses another backend.
 */

const SYMBOLS = {
  EVP_CIPHER_CTX_new: { parameters: [], result: "pointer" },
  EVP_chacha20_poly1305: { parameters: [], result: "pointer" },
  EVP_CipherInit_ex: {
    parameters: ["pointer", "pointer", "pointer", "buffer", "buffer", "i32"],
    result: "i32",
  },
  EVP_CipherUpdate: {
    parameters: ["pointer", "buffer", "buffer", "buffer", "i32"],
    result: "i32",
  },
  EVP_CipherFinal_ex: { parameters: ["pointer", "buffer", "buffer"], result: "i32" },
  EVP_CIPHER_CTX_ctrl: { parameters: ["pointer", "i32", "i32", "buffer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

type Lib = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

// EVP_CTRL_AEAD_GET_TAG / EVP_CTRL_AEAD_SET_TAG.
const GET_TAG = 0x10;
const SET_TAG = 0x11;
const KEY_SIZE = 32;
const AEAD_NONCE_SIZE = 12;
const DECRYPT = 0, ENCRYPT = 1;
const EMPTY = new Uint8Array(0);

/** The outcome of {@linkcode openFfiAead}: the backend, or why there is none. */
export type FfiAead =
  | { aead: Aead; library: string }
  | { aead?: undefined; reason: string };

let opened: FfiAead | undefined;

/**
 * Open libcrypto (once per process; later calls return the same answer) and make the backend.
 * Never throws and never prompts: without the FFI permission, the library or one of its symbols
 * the answer is a one-line reason.
 */
export function openFfiAead(): FfiAead {
  return opened ??= open();
}

function open(): FfiAead {
  const opened = openSystemLibrary({
    what: "libcrypto",
    envVariable: LIBCRYPTO_ENV,
    names: libcryptoNames(),
    symbols: SYMBOLS,
    make: makeAead,
  });
  // libcrypto is mapped now: SHA-256 and the handshake's HMAC come from it as well.
  if (opened.value) useNativeHashes();
  return opened.value ? { aead: opened.value, library: opened.library } : opened;
}

function makeAead(lib: Lib): Aead | undefined {
  const cipher = lib.EVP_chacha20_poly1305();
  // One context per direction, set to the cipher once; each call then only sets key and nonce.
  // JS is single-threaded and every call here is synchronous: no two calls share one at once.
  const sealing = lib.EVP_CIPHER_CTX_new(), opening = lib.EVP_CIPHER_CTX_new();
  if (cipher === null || sealing === null || opening === null) return undefined;
  if (lib.EVP_CipherInit_ex(sealing, cipher, null, null, null, ENCRYPT) !== 1) return undefined;
  if (lib.EVP_CipherInit_ex(opening, cipher, null, null, null, DECRYPT) !== 1) return undefined;
  const written = new Uint8Array(4); // int *outl, never read

  // The library reads 32 key and 12 nonce bytes and writes as many bytes as it is given: the
  // sizes are checked here so that no call can reach past a buffer.
  function checkSizes(key: Uint8Array, nonce: Uint8Array): void {
    if (key.length !== KEY_SIZE) throw new RangeError("chacha20-poly1305 wants a 32-byte key");
    if (nonce.length !== AEAD_NONCE_SIZE) {
      throw new RangeError("chacha20-poly1305 wants a 12-byte nonce");
    }
  }

  return {
    name: "ffi",
    seal(key, nonce, plaintext, ad, out) {
      checkSizes(key, nonce);
      const n = plaintext.length;
      if (out.length !== n + TAG_SIZE) throw new RangeError("seal output must be plaintext + 16");
      const tag = out.subarray(n);
      if (
        lib.EVP_CipherInit_ex(sealing, null, null, key, nonce, ENCRYPT) !== 1 ||
        (ad.length > 0 && lib.EVP_CipherUpdate(sealing, null, written, ad, ad.length) !== 1) ||
        lib.EVP_CipherUpdate(sealing, out, written, plaintext, n) !== 1 ||
        lib.EVP_CipherFinal_ex(sealing, tag, written) !== 1 ||
        lib.EVP_CIPHER_CTX_ctrl(sealing, GET_TAG, TAG_SIZE, tag) !== 1
      ) {
        throw new Error("libcrypto chacha20-poly1305 seal failed");
      }
    },
    open(key, nonce, sealed, ad) {
      if (sealed.length < TAG_SIZE) {
        throw new NoiseDecryptError("noise: ciphertext shorter than tag");
      }
      const n = sealed.length - TAG_SIZE;
      return decrypt(key, nonce, sealed, ad, n === 0 ? EMPTY : new Uint8Array(n));
    },
    openInPlace(key, nonce, sealed, ad) {
      if (sealed.length < TAG_SIZE) {
        throw new NoiseDecryptError("noise: ciphertext shorter than tag");
      }
      return decrypt(key, nonce, sealed, ad, sealed.subarray(0, sealed.length - TAG_SIZE));
    },
  };

  // Open `sealed` into `plaintext` (as long as the ciphertext), which may be `sealed` itself:
  // ChaCha20 is a stream cipher, each output byte is written after its input byte is read.
  function decrypt(
    key: Uint8Array,
    nonce: Uint8Array,
    sealed: Uint8Array,
    ad: Uint8Array,
    plaintext: Uint8Array,
  ): Uint8Array {
    checkSizes(key, nonce);
    const n = plaintext.length;
    if (
      lib.EVP_CipherInit_ex(opening, null, null, key, nonce, DECRYPT) !== 1 ||
      lib.EVP_CIPHER_CTX_ctrl(opening, SET_TAG, TAG_SIZE, sealed.subarray(n)) !== 1 ||
      (ad.length > 0 && lib.EVP_CipherUpdate(opening, null, written, ad, ad.length) !== 1) ||
      lib.EVP_CipherUpdate(opening, plaintext, written, sealed.subarray(0, n), n) !== 1
    ) {
      throw new Error("libcrypto chacha20-poly1305 open failed");
    }
    // The plaintext is written before the tag is checked; it is handed out only after.
    if (lib.EVP_CipherFinal_ex(opening, plaintext, written) !== 1) throw new NoiseDecryptError();
    return plaintext;
  }
}
