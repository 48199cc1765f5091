import { ed25519 } from "@noble/curves/ed25519.js";
import { bytesToHex, hexToBytes, sha256 } from "../cipher/mod.ts";
import { ReleaseKeyError } from "./errors.ts";

/** A public key releases may be signed with. */
export interface ReleaseKey {
  /** {@linkcode releaseKeyId} of `publicKey`. */
  keyId: string;
  /** Ed25519 public key (32 bytes). */
  publicKey: Uint8Array;
}

/** A maintainer's signing key pair. Never logged, never printed unless asked. */
export interface ReleaseKeyPair extends ReleaseKey {
  /** Ed25519 secret key (32-byte seed). */
  secretKey: Uint8Array;
}

const SECRET_FILE_TYPE = "skywire-release-secret-key";
const PUBLIC_FILE_TYPE = "skywire-release-public-key";

/**
 * The id of a release key: the first 8 bytes of SHA-256 of the public key, as hex. Signatures
 * name the key they were made with, so a node with several trusted keys (rotation) knows which
 * one to check, and an unknown key is reported as such rather than as a bad signature.
 */
export function releaseKeyId(publicKey: Uint8Array): string {
  return bytesToHex(sha256(publicKey).subarray(0, 8));
}

/**
 * Parse a release public key from 64 hex digits. Throws {@linkcode ReleaseKeyError} for
 * anything that is not a usable Ed25519 point; small-order points are refused because they
 * accept forged signatures.
 */
export function parseReleasePublicKey(hex: string): ReleaseKey {
  const text = hex.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(text)) {
    throw new ReleaseKeyError("a release public key is 64 hex digits");
  }
  const publicKey = hexToBytes(text);
  let smallOrder: boolean;
  try {
    smallOrder = ed25519.Point.fromBytes(publicKey).isSmallOrder();
  } catch (error) {
    throw new ReleaseKeyError(`not an Ed25519 public key: ${text}`, { cause: error });
  }
  if (smallOrder) throw new ReleaseKeyError(`refusing a small-order Ed25519 key: ${text}`);
  return { keyId: releaseKeyId(publicKey), publicKey };
}

/** Make a fresh release key pair. */
export function generateReleaseKeyPair(): ReleaseKeyPair {
  const { secretKey, publicKey } = ed25519.keygen();
  return { keyId: releaseKeyId(publicKey), publicKey, secretKey };
}

/** Text of a secret key file (JSON). Write it with mode 0600. */
export function encodeSecretKeyFile(pair: ReleaseKeyPair): string {
  return JSON.stringify(
    {
      type: SECRET_FILE_TYPE,
      key_id: pair.keyId,
      public_key: bytesToHex(pair.publicKey),
      secret_key: bytesToHex(pair.secretKey),
    },
    null,
    2,
  ) + "\n";
}

/** Text of a public key file (JSON). */
export function encodePublicKeyFile(key: ReleaseKey): string {
  return JSON.stringify(
    { type: PUBLIC_FILE_TYPE, key_id: key.keyId, public_key: bytesToHex(key.publicKey) },
    null,
    2,
  ) + "\n";
}

function parseJsonObject(text: string, what: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value;
  } catch {
    // Reported below without echoing the text, which may hold a secret.
  }
  throw new ReleaseKeyError(`${what} is not a JSON object`);
}

/** Parse a secret key file; checks that the public key belongs to the secret key. */
export function decodeSecretKeyFile(text: string): ReleaseKeyPair {
  const record = parseJsonObject(text, "secret key file");
  if (record.type !== SECRET_FILE_TYPE) {
    throw new ReleaseKeyError(`not a release secret key file (type must be ${SECRET_FILE_TYPE})`);
  }
  if (typeof record.secret_key !== "string" || !/^[0-9a-f]{64}$/.test(record.secret_key)) {
    throw new ReleaseKeyError("secret key file: secret_key must be 64 hex digits");
  }
  const secretKey = hexToBytes(record.secret_key);
  const publicKey = ed25519.getPublicKey(secretKey);
  if (record.public_key !== bytesToHex(publicKey)) {
    throw new ReleaseKeyError("secret key file: public_key does not belong to secret_key");
  }
  return { keyId: releaseKeyId(publicKey), publicKey, secretKey };
}

/** Parse a public key given as 64 hex digits or as a public (or secret) key file's text. */
export function decodePublicKey(text: string): ReleaseKey {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{")) return parseReleasePublicKey(trimmed);
  const record = parseJsonObject(trimmed, "public key file");
  if (typeof record.public_key !== "string") {
    throw new ReleaseKeyError("public key file: missing public_key");
  }
  return parseReleasePublicKey(record.public_key);
}
