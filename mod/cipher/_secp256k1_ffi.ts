import { openSystemLibrary } from "../ffi/mod.ts";
import { nobleSecp256k1 } from "./_secp256k1_noble.ts";
import type { RecoveryResult, Secp256k1Backend } from "./secp256k1.ts";

/**
 * secp256k1 through the system's libsecp256k1 (Bitcoin Core's library, the one Go's
 * skycoin cipher descends from) over Deno FFI: ECDH, signing and recovery in tens of
 * microseconds instead of hundreds. Optional: when the library, the FFI permission or a symbol
 * is missing, {@linkcode openFfiSecp256k1} says why and the caller uses another backend.
 *
 * It gives noble's bytes and noble's accept/reject decisions: libsecp256k1 signs with the same
 * RFC 6979 nonce and low S, and its recovery rejects exactly what noble's does (r or s zero or
 * ≥ n, r + n ≥ p for recovery ids 2 and 3, no point with that x, Q at infinity) and, like
 * noble, accepts a high S. The one input where they could differ — a hash ≥ n, which libsecp256k1
 * feeds to the nonce unreduced and RFC 6979 reduces — goes to noble, as do inputs of the wrong
 * size (never from `PubKey`/`SecKey`/`Sig`, but the library must never read past a buffer).
 */

// libsecp256k1 ≥ 0.2 ignores the SIGN and VERIFY flags (CONTEXT_NONE would do); older ones
// need them, and without them would abort() on signing instead of failing.
const CONTEXT_FLAGS = 0x001 | 0x100 | 0x200;
const EC_COMPRESSED = 0x102;
const RANDOMIZE_SEED_SIZE = 32;

const SYMBOLS = {
  secp256k1_context_create: { parameters: ["u32"], result: "pointer" },
  secp256k1_context_randomize: { parameters: ["pointer", "buffer"], result: "i32" },
  secp256k1_ec_pubkey_parse: {
    parameters: ["pointer", "buffer", "buffer", "usize"],
    result: "i32",
  },
  secp256k1_ec_pubkey_serialize: {
    parameters: ["pointer", "buffer", "buffer", "buffer", "u32"],
    result: "i32",
  },
  secp256k1_ec_pubkey_create: { parameters: ["pointer", "buffer", "buffer"], result: "i32" },
  secp256k1_ec_pubkey_tweak_mul: { parameters: ["pointer", "buffer", "buffer"], result: "i32" },
  secp256k1_ecdsa_sign_recoverable: {
    parameters: ["pointer", "buffer", "buffer", "buffer", "pointer", "pointer"],
    result: "i32",
  },
  secp256k1_ecdsa_recoverable_signature_serialize_compact: {
    parameters: ["pointer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  secp256k1_ecdsa_recoverable_signature_parse_compact: {
    parameters: ["pointer", "buffer", "buffer", "i32"],
    result: "i32",
  },
  secp256k1_ecdsa_recover: {
    parameters: ["pointer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
} as const satisfies Deno.ForeignLibraryInterface;

type Lib = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** Where the library is looked for, in order: the operator's choice, then the usual names. */
export const LIBRARY_ENV = "SKYWIRE_SECP256K1_LIB";

function libraryNames(): string[] {
  return Deno.build.os === "darwin"
    ? ["libsecp256k1.dylib", "/opt/homebrew/lib/libsecp256k1.dylib"]
    : ["libsecp256k1.so.1", "libsecp256k1.so"];
}

/** The outcome of {@linkcode openFfiSecp256k1}: the backend, or why there is none. */
export type FfiSecp256k1 =
  | { backend: Secp256k1Backend; library: string }
  | { backend?: undefined; reason: string };

let opened: FfiSecp256k1 | undefined;

/**
 * Open libsecp256k1 (once per module instance; later calls return the same answer) and make the
 * backend.
 * Never throws and never prompts: without the FFI permission, the library or one of its symbols
 * the answer is a one-line reason.
 */
export function openFfiSecp256k1(): FfiSecp256k1 {
  return opened ??= open();
}

function open(): FfiSecp256k1 {
  const opened = openSystemLibrary({
    what: "libsecp256k1",
    envVariable: LIBRARY_ENV,
    names: libraryNames(),
    symbols: SYMBOLS,
    make: makeBackend,
  });
  return opened.value ? { backend: opened.value, library: opened.library } : opened;
}

function makeBackend(lib: Lib): Secp256k1Backend | undefined {
  const ctx = lib.secp256k1_context_create(CONTEXT_FLAGS);
  if (ctx === null) return undefined;
  // Blinding for signing: the base-point multiplications then depend on a secret random value.
  const seed = crypto.getRandomValues(new Uint8Array(RANDOMIZE_SEED_SIZE));
  if (lib.secp256k1_context_randomize(ctx, seed) !== 1) return undefined;

  // Scratch space, reused by every call: JS is single-threaded and these calls are synchronous,
  // so no two calls are ever in flight. Outputs the caller keeps are fresh arrays.
  const point = new Uint8Array(64); // secp256k1_pubkey
  const recoverable = new Uint8Array(65); // secp256k1_ecdsa_recoverable_signature
  const serialized = new Uint8Array(33);
  const length = new BigUint64Array(1); // size_t in/out
  const recid = new Int32Array(1);

  /** Serialize `point` compressed into `out`; false if the library refuses. */
  function serialize(out: Uint8Array): boolean {
    length[0] = 33n;
    return lib.secp256k1_ec_pubkey_serialize(ctx, out, length, point, EC_COMPRESSED) === 1 &&
      length[0] === 33n;
  }

  function parse(pk: Uint8Array): boolean {
    return pk.length === 33 && lib.secp256k1_ec_pubkey_parse(ctx, point, pk, 33n) === 1;
  }

  return {
    name: "ffi",
    isValidPoint(bytes) {
      // libsecp256k1 would also take 65-byte forms; noble (asked for compressed) does not.
      return parse(bytes);
    },
    publicKey(sk) {
      const out = new Uint8Array(33);
      if (sk.length === 32 && lib.secp256k1_ec_pubkey_create(ctx, point, sk) === 1) {
        if (serialize(out)) return out;
      }
      return nobleSecp256k1.publicKey(sk); // an invalid key: noble's error
    },
    sharedPoint(sk, pk) {
      const out = new Uint8Array(33);
      if (
        sk.length === 32 && parse(pk) && lib.secp256k1_ec_pubkey_tweak_mul(ctx, point, sk) === 1
      ) {
        if (serialize(out)) return out;
      }
      return nobleSecp256k1.sharedPoint(sk, pk);
    },
    sign(hash, sk) {
      if (hash.length === 32 && sk.length === 32 && !atLeastOrder(hash)) {
        const ok = lib.secp256k1_ecdsa_sign_recoverable(ctx, recoverable, hash, sk, null, null);
        if (ok === 1) {
          const out = new Uint8Array(65);
          // The serializer writes R‖S (64 bytes) into the front of `out`.
          lib.secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, out, recid, recoverable);
          out[64] = recid[0];
          return out;
        }
      }
      return nobleSecp256k1.sign(hash, sk);
    },
    recover(sig, hash, pk): RecoveryResult {
      if (sig.length < 65 || sig[64] > 3 || hash.length !== 32 || pk.length !== 33) {
        return nobleSecp256k1.recover(sig, hash, pk);
      }
      // parse_compact refuses r or s ≥ n; recover refuses r or s = 0, r + n ≥ p, a missing R
      // and Q at infinity: exactly noble's "unrecoverable" cases.
      if (
        lib.secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, recoverable, sig, sig[64]) !==
          1 ||
        lib.secp256k1_ecdsa_recover(ctx, point, recoverable, hash) !== 1 ||
        !serialize(serialized)
      ) {
        return "unrecoverable";
      }
      for (let i = 0; i < 33; i++) if (serialized[i] !== pk[i]) return "mismatch";
      return "match";
    },
  };
}

// The group order n, big-endian.
const ORDER = Uint8Array.from(
  "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141".match(/../g)!,
  (byte) => parseInt(byte, 16),
);

/** Whether the 32-byte big-endian `bytes` is ≥ n. */
function atLeastOrder(bytes: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (bytes[i] !== ORDER[i]) return bytes[i] > ORDER[i];
  return true;
}
