import type { KeyObject } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { bytesToNumberBE, numberToBytesBE } from "@noble/curves/utils.js";
import { nobleSecp256k1 } from "./_secp256k1_noble.ts";
import { hmacSha256 } from "./hash.ts";
import { nodeCrypto } from "./node_crypto.ts";
import type { RecoveryResult, Secp256k1Backend } from "./secp256k1.ts";

/**
 * secp256k1 through the runtime's native `node:crypto` (in Deno: RustCrypto's k256), with
 * exactly the bytes and the accept/reject decisions of the noble backend.
 *
 * node:crypto gives the x coordinate of a scalar multiple (`diffieHellman`), a whole `k·G`
 * (`ECDH.getPublicKey`) and point decompression (`ECDH.convertKey`), but never the y parity of
 * `k·P` nor a signature's recovery id, both of which Skywire's formats carry. The missing bit
 * comes from one more x: for Q = k·P, x((k+1)·P) = x(Q + P) fixes y(Q) through the chord
 * formula (one field inversion, no square root). Inputs where that formula has no answer
 * (Q = ±P, k+1 = n, …: never for honest keys and signatures) go to noble, so the results never
 * differ. The scalar multiplications are native; the field arithmetic is noble's (`Fp`, `Fn`).
 */

const { Fp, Fn } = secp256k1.Point;
const P = Fp.ORDER;
const N = Fn.ORDER;
const HALF_N = N >> 1n;
const CURVE = "secp256k1";

// DER wrappers: SEC1 ECPrivateKey without the optional public key, and SPKI with a compressed
// point. Building keys this way costs ~20 µs; JWK would need both coordinates.
const SEC1_HEAD = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x01, 0x04, 0x20);
const SEC1_TAIL = Uint8Array.of(0xa0, 0x07, 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a);
const SPKI_HEAD = Uint8Array.of(
  ...[0x30, 0x36, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01],
  ...[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a, 0x03, 0x22, 0x00],
);

interface Affine {
  x: bigint;
  y: bigint;
}

function privateKey(k: bigint): KeyObject {
  const der = new Uint8Array(SEC1_HEAD.length + 32 + SEC1_TAIL.length);
  der.set(SEC1_HEAD);
  der.set(numberToBytesBE(k, 32), SEC1_HEAD.length);
  der.set(SEC1_TAIL, SEC1_HEAD.length + 32);
  return nodeCrypto().createPrivateKey({ key: der as Buffer, format: "der", type: "sec1" });
}

function publicKeyObject(compressed: Uint8Array): KeyObject {
  const der = new Uint8Array(SPKI_HEAD.length + 33);
  der.set(SPKI_HEAD);
  der.set(compressed, SPKI_HEAD.length);
  return nodeCrypto().createPublicKey({ key: der as Buffer, format: "der", type: "spki" });
}

/** Both coordinates of a compressed point (native decompression). */
function decompress(compressed: Uint8Array): Affine {
  const full = nodeCrypto().ECDH.convertKey(
    compressed,
    CURVE,
    undefined,
    undefined,
    "uncompressed",
  ) as Buffer;
  return { x: bytesToNumberBE(full.subarray(1, 33)), y: bytesToNumberBE(full.subarray(33, 65)) };
}

// Signers' keys, decompressed and as key objects: the same peers' signatures are checked again
// and again (every stream request and response), and building both costs ~80 µs a check. Only
// recovery uses it; ECDH's ephemeral keys would just churn it. Insertion order is LRU order.
const SIGNER_CACHE_SIZE = 256;
const signers = new Map<string, { point: Affine; key: KeyObject }>();

function signer(pk: Uint8Array): { point: Affine; key: KeyObject } {
  const id = String.fromCharCode(...pk);
  let entry = signers.get(id);
  if (entry !== undefined) {
    signers.delete(id);
  } else {
    entry = { point: decompress(pk), key: publicKeyObject(pk) };
    if (signers.size >= SIGNER_CACHE_SIZE) signers.delete(signers.keys().next().value!);
  }
  signers.set(id, entry);
  return entry;
}

/** k·G with both coordinates; k in [1, n-1]. */
function baseMultiply(k: bigint): Affine {
  const ecdh = nodeCrypto().createECDH(CURVE);
  ecdh.setPrivateKey(numberToBytesBE(k, 32));
  const full = ecdh.getPublicKey();
  return { x: bytesToNumberBE(full.subarray(1, 33)), y: bytesToNumberBE(full.subarray(33, 65)) };
}

/** x(k·point); k in [1, n-1]. */
function multiplyX(k: bigint, point: KeyObject): bigint {
  return bytesToNumberBE(
    nodeCrypto().diffieHellman({ privateKey: privateKey(k), publicKey: point }),
  );
}

/**
 * k·point with both coordinates, from x(k·point) and x((k+1)·point); undefined where the chord
 * formula has no answer (the caller then asks noble).
 */
function multiply(k: bigint, point: Affine, pointKey: KeyObject): Affine | undefined {
  if (k + 1n >= N) return undefined;
  const x = multiplyX(k, pointKey);
  if (x === point.x) return undefined; // k·point = ±point: the chord is a tangent or vertical
  const xNext = multiplyX(k + 1n, pointKey);
  // Q + point has x = λ² − x − xp with λ = (yp − y)/(xp − x), so
  // 2·yp·y = yp² + y² − (xNext + x + xp)(xp − x)², where y² = x³ + 7.
  const ySquared = Fp.add(Fp.mul(Fp.sqr(x), x), 7n);
  const dx = Fp.sub(point.x, x);
  const numerator = Fp.sub(
    Fp.add(Fp.sqr(point.y), ySquared),
    Fp.mul(Fp.add(Fp.add(xNext, x), point.x), Fp.sqr(dx)),
  );
  const y = Fp.mul(numerator, Fp.inv(Fp.add(point.y, point.y)));
  // A wrong x from the runtime would not land on the curve: refuse rather than guess.
  if (Fp.sqr(y) !== ySquared) return undefined;
  return { x, y };
}

function add(a: Affine, b: Affine): Affine | undefined {
  if (a.x === b.x) return undefined; // a = ±b
  const lambda = Fp.mul(Fp.sub(b.y, a.y), Fp.inv(Fp.sub(b.x, a.x)));
  const x = Fp.sub(Fp.sub(Fp.sqr(lambda), a.x), b.x);
  return { x, y: Fp.sub(Fp.mul(lambda, Fp.sub(a.x, x)), a.y) };
}

function compress(point: Affine): Uint8Array {
  const out = new Uint8Array(33);
  out[0] = point.y & 1n ? 3 : 2;
  out.set(numberToBytesBE(point.x, 32), 1);
  return out;
}

/**
 * Checks `hash`'s signature `sig` (r‖s‖recid) against `pk` without recovering: noble's recovery
 * Q = r⁻¹(s·R − e·G) equals PK exactly when s·R = e·G + r·PK, i.e. when R′ = (e/s)·G + (r/s)·PK
 * is the point R the signature names (x = r + n·⌊recid/2⌋, y parity recid & 1). On a miss the
 * reason is classified as noble's recovery would fail or not. undefined: undecidable here.
 */
export function nativeRecover(
  sig: Uint8Array,
  hash: Uint8Array,
  pk: Uint8Array,
): RecoveryResult | undefined {
  const r = bytesToNumberBE(sig.subarray(0, 32));
  const s = bytesToNumberBE(sig.subarray(32, 64));
  if (r === 0n || r >= N || s === 0n || s >= N) return "unrecoverable";
  const recid = sig[64];
  const rx = recid & 2 ? r + N : r;
  if (rx >= P) return "unrecoverable";
  const e = Fn.create(bytesToNumberBE(hash));
  const sInverse = Fn.inv(s);
  const u1 = Fn.mul(e, sInverse);
  if (u1 === 0n) return undefined;
  const { point: pkPoint, key: pkKey } = signer(pk);
  const b = multiply(Fn.mul(r, sInverse), pkPoint, pkKey);
  if (!b) return undefined;
  const a = baseMultiply(u1);
  const point = add(a, b);
  if (!point) return undefined;
  const parity = BigInt(recid & 1);
  if (point.x === rx && (point.y & 1n) === parity) return "match";
  // Noble fails to recover when no point has x = rx, or when Q = 0, i.e. R = (e/s)·G = a.
  if (!nodeIsValidPoint(compress({ x: rx, y: parity }))) return "unrecoverable";
  return a.x === rx && (a.y & 1n) === parity ? "unrecoverable" : "mismatch";
}

function nodeIsValidPoint(bytes: Uint8Array): boolean {
  if (bytes.length !== 33 || (bytes[0] !== 2 && bytes[0] !== 3)) return false;
  try {
    nodeCrypto().ECDH.convertKey(bytes, CURVE, undefined, undefined, "uncompressed");
    return true;
  } catch {
    return false; // x ≥ p, or x³ + 7 has no square root
  }
}

/** sk·pk compressed, natively; undefined where the chord formula has no answer. */
export function nativeSharedPoint(sk: Uint8Array, pk: Uint8Array): Uint8Array | undefined {
  const point = multiply(bytesToNumberBE(sk), decompress(pk), publicKeyObject(pk));
  return point ? compress(point) : undefined;
}

const BYTE_0 = Uint8Array.of(0);
const BYTE_1 = Uint8Array.of(1);

/**
 * ECDSA with the RFC 6979 nonce (HMAC-DRBG over SHA-256, exactly as noble derives it), low S
 * and the recovery id, as `R‖S‖recid`; k·G, the costly step, is native. The inversion of k is
 * blinded by a random factor, as noble does, so its timing does not depend on k. (node:crypto's
 * own `sign` gives the same r‖s here, but not the recovery id, and it costs twice as much.)
 */
export function nativeSign(hash: Uint8Array, sk: Uint8Array): Uint8Array {
  const d = bytesToNumberBE(sk);
  const m = Fn.create(bytesToNumberBE(hash));
  const seed = new Uint8Array(64);
  seed.set(sk);
  seed.set(numberToBytesBE(m, 32), 32);
  // RFC 6979 §3.2 steps B–G, then H: candidates until one gives a valid signature.
  let v: Uint8Array = new Uint8Array(32).fill(1);
  let key: Uint8Array = new Uint8Array(32);
  key = hmacSha256(key, v, BYTE_0, seed);
  v = hmacSha256(key, v);
  key = hmacSha256(key, v, BYTE_1, seed);
  v = hmacSha256(key, v);
  for (;;) {
    v = hmacSha256(key, v);
    const k = bytesToNumberBE(v);
    if (k > 0n && k < N) {
      const q = baseMultiply(k);
      const r = Fn.create(q.x);
      if (r !== 0n) {
        const blind = bytesToNumberBE(nodeCrypto().randomBytes(48)) % (N - 1n) + 1n;
        const s = Fn.mul(
          Fn.inv(Fn.mul(blind, k)),
          Fn.add(Fn.mul(blind, m), Fn.mul(Fn.mul(blind, d), r)),
        );
        if (s !== 0n) {
          let recid = (q.x === r ? 0 : 2) | Number(q.y & 1n);
          const low = s > HALF_N ? N - s : s;
          if (low !== s) recid ^= 1;
          const out = new Uint8Array(65);
          out.set(numberToBytesBE(r, 32), 0);
          out.set(numberToBytesBE(low, 32), 32);
          out[64] = recid;
          return out;
        }
      }
    }
    key = hmacSha256(key, v, BYTE_0);
    v = hmacSha256(key, v);
  }
}

/** The native backend; noble answers only the inputs the native paths leave undecided. */
export const nodeSecp256k1: Secp256k1Backend = {
  name: "node",
  isValidPoint: nodeIsValidPoint,
  publicKey(sk) {
    const ecdh = nodeCrypto().createECDH(CURVE);
    ecdh.setPrivateKey(sk);
    return new Uint8Array(ecdh.getPublicKey(null, "compressed") as Buffer);
  },
  sharedPoint(sk, pk) {
    return nativeSharedPoint(sk, pk) ?? nobleSecp256k1.sharedPoint(sk, pk);
  },
  sign: nativeSign,
  recover(sig, hash, pk) {
    return nativeRecover(sig, hash, pk) ?? nobleSecp256k1.recover(sig, hash, pk);
  },
};
