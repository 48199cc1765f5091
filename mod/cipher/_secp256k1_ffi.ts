import { openSystemLibrary } from "../ffi/mod.ts";
import { atLeastOrder, ORDER } from "./_scalar.ts";
import { CipherError } from "./errors.ts";
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
 * noble, accepts a high S. Hashes are first brought to the 32-byte form RFC 6979 and noble use
 * (leftmost 256 bits, reduced mod n): older libraries feed a hash ≥ n to the nonce unreduced.
 * Inputs noble refuses (an invalid or wrong-size secret key, a recovery id of 4 or more) are
 * refused here without calling the library, which must never read past a buffer. It needs no
 * other backend, so `@noble/curves` is not loaded where this one is used.
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
      if (sk.length !== 32 || lib.secp256k1_ec_pubkey_create(ctx, point, sk) !== 1) {
        throw new CipherError("invalid secret key");
      }
      if (!serialize(out)) throw new CipherError("libsecp256k1: cannot serialize a point");
      return out;
    },
    sharedPoint(sk, pk) {
      const out = new Uint8Array(33);
      if (!parse(pk)) throw new CipherError("invalid public key: not a point on secp256k1");
      // A valid key times a point of prime order is never the point at infinity.
      if (sk.length !== 32 || lib.secp256k1_ec_pubkey_tweak_mul(ctx, point, sk) !== 1) {
        throw new CipherError("invalid secret key");
      }
      if (!serialize(out)) throw new CipherError("libsecp256k1: cannot serialize a point");
      return out;
    },
    sign(hash, sk) {
      const message = hashScalar(hash);
      if (
        message === undefined || sk.length !== 32 ||
        lib.secp256k1_ecdsa_sign_recoverable(ctx, recoverable, message, sk, null, null) !== 1
      ) {
        throw new CipherError("invalid secret key or hash");
      }
      const out = new Uint8Array(65);
      // The serializer writes R‖S (64 bytes) into the front of `out`.
      lib.secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, out, recid, recoverable);
      out[64] = recid[0];
      return out;
    },
    recover(sig, hash, pk): RecoveryResult {
      const message = hashScalar(hash);
      // A missing or out-of-range recovery id, or a hash noble refuses: nothing to recover.
      if (sig.length < 65 || sig[64] > 3 || message === undefined) return "unrecoverable";
      // parse_compact refuses r or s ≥ n; recover refuses r or s = 0, r + n ≥ p, a missing R
      // and Q at infinity: exactly noble's "unrecoverable" cases.
      if (
        lib.secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, recoverable, sig, sig[64]) !==
          1 ||
        lib.secp256k1_ecdsa_recover(ctx, point, recoverable, message) !== 1 ||
        !serialize(serialized)
      ) {
        return "unrecoverable";
      }
      // As noble compares: the recovered key's 33 bytes against the first 33 of `pk`.
      for (let i = 0; i < 33; i++) if (serialized[i] !== pk[i]) return "mismatch";
      return "match";
    },
  };
}

// Noble refuses longer hashes ("input is too large").
const MAX_HASH_SIZE = 8192;

/**
 * The hash as the 32-byte integer ECDSA and the RFC 6979 nonce use (SEC 1 / RFC 6979
 * bits2int, then mod n, as noble computes it): the leftmost 256 bits (a shorter hash is a
 * smaller number), minus n when it is ≥ n (it is below 2n). undefined where noble refuses it.
 */
function hashScalar(hash: Uint8Array): Uint8Array | undefined {
  if (hash.length > MAX_HASH_SIZE) return undefined;
  if (hash.length === 32 && !atLeastOrder(hash)) return hash;
  const out = new Uint8Array(32);
  if (hash.length >= 32) out.set(hash.subarray(0, 32));
  else out.set(hash, 32 - hash.length);
  if (atLeastOrder(out)) {
    let borrow = 0;
    for (let i = 31; i >= 0; i--) {
      const difference = out[i] - ORDER[i] - borrow;
      out[i] = difference & 0xff;
      borrow = difference < 0 ? 1 : 0;
    }
  }
  return out;
}
