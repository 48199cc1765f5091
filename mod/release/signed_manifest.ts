import { ed25519 } from "@noble/curves/ed25519.js";
import { bytesToHex, hexToBytes } from "../cipher/mod.ts";
import { canonicalBytes } from "./canonical.ts";
import { ManifestError } from "./errors.ts";
import type { ReleaseKey, ReleaseKeyPair } from "./keys.ts";
import { type Release, type ReleaseChannel, validateRelease } from "./manifest.ts";

/**
 * Domain separation: the signed message is this prefix followed by the canonical JSON of the
 * release, so a release key's signature can never be replayed as something else (or the
 * reverse).
 */
export const MANIFEST_SIGNING_CONTEXT = "skywire-release-manifest-v1\n";

/** Manifests larger than this are refused before parsing. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

/** At most this many signatures are looked at (a bound on verification work). */
export const MAX_SIGNATURES = 8;

/** One signature in a manifest. */
export interface ManifestSignature {
  /** Id of the key that made it ({@linkcode releaseKeyId}). */
  key_id: string;
  /** Ed25519 signature over {@linkcode manifestSigningBytes}, hex. */
  sig: string;
}

/** A manifest as published: the release and its signatures. */
export interface SignedManifest {
  /** The release as parsed; its canonical bytes are what the signatures cover. */
  signed: Record<string, unknown>;
  /** Signatures; a node needs one valid signature by a key it trusts. */
  signatures: ManifestSignature[];
}

/** A manifest whose signature checked out. */
export interface VerifiedManifest {
  /** The release, validated. */
  release: Release;
  /** Id of the trusted key whose signature was accepted. */
  keyId: string;
}

/** Bytes the release signatures cover. */
export function manifestSigningBytes(signed: Record<string, unknown> | Release): Uint8Array {
  const body = canonicalBytes(signed);
  const prefix = new TextEncoder().encode(MANIFEST_SIGNING_CONTEXT);
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix);
  out.set(body, prefix.length);
  return out;
}

/** An unsigned manifest for `release` (sign it with {@linkcode signManifest}). */
export function unsignedManifest(release: Release): SignedManifest {
  return { signed: { ...release }, signatures: [] };
}

/**
 * Add `pair`'s signature to `manifest` (replacing an earlier one by the same key); returns a new
 * manifest. Other keys' signatures stay, so a release can carry the old and the new key's
 * signature while nodes move to the new key.
 */
export function signManifest(manifest: SignedManifest, pair: ReleaseKeyPair): SignedManifest {
  validateRelease(manifest.signed);
  const sig = ed25519.sign(manifestSigningBytes(manifest.signed), pair.secretKey);
  return {
    signed: manifest.signed,
    signatures: [
      ...manifest.signatures.filter((s) => s.key_id !== pair.keyId),
      { key_id: pair.keyId, sig: bytesToHex(sig) },
    ],
  };
}

/** JSON text of a manifest (pretty, with the release's keys in canonical order). */
export function encodeManifest(manifest: SignedManifest): string {
  const signed = JSON.parse(new TextDecoder().decode(canonicalBytes(manifest.signed)));
  return JSON.stringify({ signed, signatures: manifest.signatures }, null, 2) + "\n";
}

function malformed(message: string): never {
  throw new ManifestError("malformed", `release manifest: ${message}`);
}

/**
 * Parse manifest text (or bytes) into its signed part and signatures. Checks structure only;
 * {@linkcode verifyManifest} checks signatures and then the release's fields. Throws
 * {@linkcode ManifestError}.
 */
export function parseSignedManifest(input: string | Uint8Array): SignedManifest {
  const size = typeof input === "string" ? input.length : input.byteLength;
  if (size > MAX_MANIFEST_BYTES) {
    throw new ManifestError("too-large", `release manifest: ${size} bytes is over the limit`);
  }
  let value: unknown;
  try {
    value = JSON.parse(typeof input === "string" ? input : new TextDecoder().decode(input));
  } catch {
    malformed("not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    malformed("not a JSON object");
  }
  const { signed, signatures } = value as Record<string, unknown>;
  if (typeof signed !== "object" || signed === null || Array.isArray(signed)) {
    malformed(`"signed" must be an object`);
  }
  try {
    canonicalBytes(signed);
  } catch (error) {
    malformed(`"signed" cannot be canonicalised: ${(error as Error).message}`);
  }
  if (!Array.isArray(signatures)) malformed(`"signatures" must be an array`);
  const list: ManifestSignature[] = [];
  for (const entry of signatures.slice(0, MAX_SIGNATURES)) {
    if (typeof entry !== "object" || entry === null) malformed("a signature is not an object");
    const { key_id, sig } = entry as Record<string, unknown>;
    if (typeof key_id !== "string" || !/^[0-9a-f]{16}$/.test(key_id)) {
      malformed(`a signature's "key_id" must be 16 lowercase hex digits`);
    }
    if (typeof sig !== "string" || !/^[0-9a-f]{128}$/.test(sig)) {
      malformed(`a signature's "sig" must be 128 lowercase hex digits`);
    }
    list.push({ key_id, sig });
  }
  return { signed: signed as Record<string, unknown>, signatures: list };
}

/** Options for {@linkcode verifyManifest}. */
export interface VerifyManifestOptions {
  /** Keys whose signatures are accepted. */
  trustedKeys: readonly ReleaseKey[];
  /** Channel the node follows; a release from another channel is refused. */
  channel?: ReleaseChannel;
}

/**
 * Check a manifest: one signature by a trusted key must verify over
 * {@linkcode manifestSigningBytes}, then the release's fields must be valid, then its channel
 * must match. Throws {@linkcode ManifestError} with code `no-signature`, `unknown-key`,
 * `bad-signature`, `malformed` or `wrong-channel`.
 */
export function verifyManifest(
  manifest: SignedManifest,
  options: VerifyManifestOptions,
): VerifiedManifest {
  if (manifest.signatures.length === 0) {
    throw new ManifestError("no-signature", "release manifest is not signed");
  }
  const trusted = new Map(options.trustedKeys.map((k) => [k.keyId, k]));
  const message = manifestSigningBytes(manifest.signed);
  let keyId: string | undefined;
  let badBy: string | undefined;
  for (const entry of manifest.signatures) {
    const key = trusted.get(entry.key_id);
    if (!key) continue;
    // zip215:false is RFC 8032's strict rule: no non-canonical encodings of R, S or the key.
    if (ed25519.verify(hexToBytes(entry.sig), message, key.publicKey, { zip215: false })) {
      keyId = entry.key_id;
      break;
    }
    badBy ??= entry.key_id;
  }
  if (keyId === undefined) {
    if (badBy !== undefined) {
      throw new ManifestError(
        "bad-signature",
        `release manifest signature by trusted key ${badBy} does not verify ` +
          `(the manifest was altered after signing, or signed with a different key)`,
      );
    }
    const ids = manifest.signatures.map((s) => s.key_id).join(", ");
    throw new ManifestError(
      "unknown-key",
      `release manifest is signed only by keys this node does not trust (${ids}); ` +
        `add the maintainers' public key to updater.trusted_keys if you trust it`,
    );
  }
  const release = validateRelease(manifest.signed);
  if (options.channel !== undefined && release.channel !== options.channel) {
    throw new ManifestError(
      "wrong-channel",
      `release manifest is for channel "${release.channel}", this node follows ` +
        `"${options.channel}"`,
    );
  }
  return { release, keyId };
}
