/**
 * TLS material for the node's own servers: reading and checking a certificate and key pair
 * ({@linkcode loadTlsCredentials}), a self-signed ECDSA P-256 pair made once and reused
 * ({@linkcode ensureTlsCredentials}, {@linkcode writeSelfSigned}), and SHA-256 fingerprints.
 *
 * @module
 */
export {
  ensureTlsCredentials,
  findTlsCredentials,
  loadTlsCredentials,
  SELF_SIGNED_CERT_FILE,
  SELF_SIGNED_KEY_FILE,
  writeSelfSigned,
} from "./credentials.ts";
export type {
  EnsureTlsOptions,
  FindTlsOptions,
  FoundTlsCredentials,
  TlsCredentials,
  WriteSelfSignedOptions,
} from "./credentials.ts";
export { TlsFileError } from "./errors.ts";
export { certificateFingerprint, parsePem, PRIVATE_KEY_LABELS } from "./pem.ts";
export type { PemBlock } from "./pem.ts";
export { defaultCertificateHosts, generateSelfSigned, ipAddressBytes } from "./self_signed.ts";
export type { SelfSignedOptions, SelfSignedPair } from "./self_signed.ts";
export { certificateValidity } from "./validity.ts";
export type { CertificateValidity } from "./validity.ts";
