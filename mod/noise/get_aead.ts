import { hexToBytes } from "../cipher/mod.ts";
import type { Aead, AeadChoice } from "./aead.ts";
import { openFfiAead } from "./_aead_ffi.ts";
import { TAG_SIZE } from "./constants.ts";
import { NoiseError } from "./errors.ts";

// RFC 8439 §2.8.2 test vector: a known answer the fast path must reproduce before we trust it.
const KAT_KEY = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f";
const KAT_NONCE = "070000004041424344454647";
const KAT_AD = "50515253c0c1c2c3c4c5c6c7";
const KAT_PLAINTEXT = "Ladies and Gentlemen of the class of '99: If I could offer you only one " +
  "tip for the future, sunscreen would be it.";
const KAT_SEALED = "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8c" +
  "a9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab3" +
  "24e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b61161ae10b594f09e26a7e902ecbd0" +
  "600691";

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Whether `aead` reproduces the RFC 8439 known answer, opens it again and rejects a flipped
 * tag bit. Never throws: a missing or broken implementation just fails the test.
 */
export function aeadSelfTest(aead: Aead): boolean {
  try {
    const key = hexToBytes(KAT_KEY), nonce = hexToBytes(KAT_NONCE), ad = hexToBytes(KAT_AD);
    const plaintext = new TextEncoder().encode(KAT_PLAINTEXT);
    const sealed = new Uint8Array(plaintext.length + TAG_SIZE);
    aead.seal(key, nonce, plaintext, ad, sealed);
    if (!equalBytes(sealed, hexToBytes(KAT_SEALED))) return false;
    if (!equalBytes(aead.open(key, nonce, sealed, ad), plaintext)) return false;
    sealed[sealed.length - 1] ^= 1;
    try {
      aead.open(key, nonce, sealed, ad);
      return false;
    } catch {
      return true;
    }
  } catch {
    return false;
  }
}

/** The `node:crypto` backend, imported when first asked for. */
async function loadNode(): Promise<Aead> {
  return (await import("./_aead_node.ts")).nodeAead;
}

/** The `@noble/ciphers` backend, imported when first asked for. */
async function loadNoble(): Promise<Aead> {
  return (await import("./_aead_noble.ts")).nobleAead;
}

// The automatic choice is made once per process, when this module loads: it is a pure function
// of the runtime (and the system's libraries). Where libcrypto passes its self-test neither
// other backend is imported. With the library opened once in _aead_ffi.ts, this is the only
// module-level state in mod/noise. Choosing here also opens the library when this module loads
// rather than on first use, as mod/cipher does with libsecp256k1: a library opened inside a
// `Deno.test` is reported as a leak by the test's resource sanitizer.
const autoChoice: Aead = await pickAuto();

async function pickAuto(): Promise<Aead> {
  const ffi = openFfiAead().aead;
  if (ffi !== undefined && aeadSelfTest(ffi)) return ffi;
  const node = await loadNode();
  return aeadSelfTest(node) ? node : await loadNoble();
}

/**
 * The AEAD backend to use. `"auto"` (the default) returns the first of these that is there and
 * passes {@linkcode aeadSelfTest}: the system's OpenSSL libcrypto over FFI (needs
 * `--allow-ffi`; `SKYWIRE_CRYPTO_LIB` names the library file), the runtime's `node:crypto`, and
 * `@noble/ciphers` (pure JavaScript, always there). `"ffi"` forces libcrypto and throws a
 * {@linkcode NoiseError} saying why when the library cannot be used; the other backends are
 * imported only on demand, through {@linkcode loadAead}.
 */
export function getAead(choice: "auto" | "ffi" = "auto"): Aead {
  if (choice === "ffi") {
    const ffi = openFfiAead();
    if (ffi.aead === undefined) throw new NoiseError(`aead ffi backend: ${ffi.reason}`);
    return ffi.aead;
  }
  return autoChoice;
}

/**
 * {@linkcode getAead}, or a forced `"node"` or `"noble"` backend, importing it first (tests and
 * benchmarks compare the backends).
 */
export function loadAead(choice: AeadChoice = "auto"): Promise<Aead> {
  if (choice === "node") return loadNode();
  if (choice === "noble") return loadNoble();
  return Promise.resolve().then(() => getAead(choice));
}

/** Which backend `"auto"` uses and, when it is not libcrypto, why not: for operators. */
export function aeadStatus(): { backend: Aead["name"]; note?: string } {
  const backend = getAead().name;
  if (backend === "ffi") return { backend };
  const ffi = openFfiAead();
  return { backend, note: ffi.aead ? "libcrypto failed its self-test" : ffi.reason };
}
