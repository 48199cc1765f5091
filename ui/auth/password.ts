import { scryptAsync } from "@noble/hashes/scrypt.js";
import { nodeCrypto } from "../../mod/cipher/mod.ts";

/** scrypt cost settings; stored with each hash so they can be raised later. */
export interface ScryptParams {
  /** CPU/memory cost, a power of two (memory is 128 · N · r bytes). */
  n: number;
  /** Block size. */
  r: number;
  /** Parallelism. */
  p: number;
}

/**
 * The default cost: N = 2^15, r = 8, p = 1 (32 MiB; about 0.65 s on a 2-core x86_64 VM in
 * @noble/hashes, a few times that on a Raspberry Pi). Slow on purpose: a stolen store must
 * not give the password away cheaply. Tests pass cheaper settings.
 */
export const DEFAULT_SCRYPT: ScryptParams = { n: 2 ** 15, r: 8, p: 1 };

/** A salted password hash, as stored. */
export interface PasswordHash {
  /** Always `scrypt`. */
  algorithm: "scrypt";
  /** Cost settings used. */
  n: number;
  /** Block size used. */
  r: number;
  /** Parallelism used. */
  p: number;
  /** Random salt (base64). */
  salt: string;
  /** The derived key (base64). */
  hash: string;
}

/** Shortest password accepted. */
export const MIN_PASSWORD_LENGTH = 8;
/** Longest password accepted (in UTF-8 bytes): hashing cost must not depend on the caller. */
export const MAX_PASSWORD_BYTES = 1024;

const KEY_BYTES = 32;
const SALT_BYTES = 16;
const encoder = new TextEncoder();

/** Why a new password is refused, or `undefined` when it is acceptable. */
export function passwordProblem(password: string): string | undefined {
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    return `the password must have at least ${MIN_PASSWORD_LENGTH} characters`;
  }
  if (encoder.encode(password).length > MAX_PASSWORD_BYTES) {
    return `the password must be at most ${MAX_PASSWORD_BYTES} bytes`;
  }
  return undefined;
}

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function derive(password: string, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  // asyncTick yields to the event loop every few ms: a login must not stall the node.
  return scryptAsync(encoder.encode(password), salt, {
    N: params.n,
    r: params.r,
    p: params.p,
    dkLen: KEY_BYTES,
    asyncTick: 10,
  });
}

/** Hash `password` with a fresh random salt. */
export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT,
): Promise<PasswordHash> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const key = await derive(password, salt, params);
  return { algorithm: "scrypt", ...params, salt: toBase64(salt), hash: toBase64(key) };
}

/** Whether a stored record is one this code can check (a damaged one is refused, not thrown). */
export function isPasswordHash(value: unknown): value is PasswordHash {
  const v = value as PasswordHash | null;
  return typeof v === "object" && v !== null && v.algorithm === "scrypt" &&
    Number.isInteger(v.n) && v.n >= 2 && (v.n & (v.n - 1)) === 0 && v.n <= 2 ** 20 &&
    Number.isInteger(v.r) && v.r >= 1 && v.r <= 32 &&
    Number.isInteger(v.p) && v.p >= 1 && v.p <= 16 &&
    typeof v.salt === "string" && typeof v.hash === "string";
}

/** Whether `password` matches `stored` (constant-time compare of the derived keys). */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  if (!isPasswordHash(stored) || encoder.encode(password).length > MAX_PASSWORD_BYTES) {
    return false;
  }
  let expected: Uint8Array;
  let salt: Uint8Array;
  try {
    expected = fromBase64(stored.hash);
    salt = fromBase64(stored.salt);
  } catch {
    return false;
  }
  const key = await derive(password, salt, stored);
  // node:crypto loads here, at a login, not when a node that serves the UI starts.
  return key.length === expected.length && nodeCrypto().timingSafeEqual(key, expected);
}
