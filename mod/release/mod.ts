/**
 * Signed release manifests: the format, canonical signing bytes, Ed25519 release keys and
 * verification. Library code only; fetching, installing and restarting live in
 * `services/updater`.
 *
 * A manifest is `{ "signed": Release, "signatures": [{ key_id, sig }] }`. Each signature covers
 * `"skywire-release-manifest-v1\n"` followed by the canonical JSON of `signed` (sorted keys, no
 * whitespace, integers only). Version, channel, date and every asset's size and SHA-256 are
 * inside `signed`, so none of them can be swapped without breaking the signature.
 *
 * @module
 */
export { canonicalBytes, canonicalJson } from "./canonical.ts";
export type { CanonicalValue } from "./canonical.ts";
export { ManifestError, ReleaseKeyError } from "./errors.ts";
export type { ManifestErrorCode } from "./errors.ts";
export { hashFile } from "./hash_file.ts";
export type { FileDigest, HashFileOptions } from "./hash_file.ts";
export {
  decodePublicKey,
  decodeSecretKeyFile,
  encodePublicKeyFile,
  encodeSecretKeyFile,
  generateReleaseKeyPair,
  parseReleasePublicKey,
  releaseKeyId,
} from "./keys.ts";
export type { ReleaseKey, ReleaseKeyPair } from "./keys.ts";
export {
  createRelease,
  MAX_ASSET_SIZE,
  RELEASE_CHANNELS,
  RELEASE_FORMAT,
  RELEASE_TARGETS,
  RELEASE_TYPE,
  validateRelease,
} from "./manifest.ts";
export type {
  CreateReleaseOptions,
  Release,
  ReleaseAsset,
  ReleaseChannel,
  ReleaseTarget,
} from "./manifest.ts";
export {
  encodeManifest,
  MANIFEST_SIGNING_CONTEXT,
  manifestSigningBytes,
  MAX_MANIFEST_BYTES,
  MAX_SIGNATURES,
  parseSignedManifest,
  signManifest,
  unsignedManifest,
  verifyManifest,
} from "./signed_manifest.ts";
export type {
  ManifestSignature,
  SignedManifest,
  VerifiedManifest,
  VerifyManifestOptions,
} from "./signed_manifest.ts";
export { EMBEDDED_RELEASE_KEYS, trustedReleaseKeys } from "./trusted_keys.ts";
