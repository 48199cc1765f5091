/**
 * The dmsg discovery, client side: entries (Go `disc.Entry`) with Go-canonical JSON, signing
 * and validation, the HTTP client for the discovery API ({@linkcode DiscoveryClient}), and
 * {@linkcode EntryPublisher}, which keeps an entity's entry current.
 *
 * ```ts
 * const discovery = new DiscoveryClient({ url: "http://127.0.0.1:9090" });
 * const entry = await discovery.getEntry(pk);
 * ```
 *
 * @module
 */
export {
  cloneEntry,
  emptyServerInfo,
  ENTRY_VERSION,
  newClientEntry,
  newServerEntry,
  nowNanos,
  zeroEntry,
} from "./entry.ts";
export type {
  ClientInfo,
  Entry,
  NewClientEntryOptions,
  NewServerEntryOptions,
  ServerInfo,
} from "./entry.ts";
export { goStringFromBytes, goStringToBytes } from "./entry_go_string.ts";
export {
  joinJsonArray,
  JsonWriter,
  marshalEntry,
  marshalEntryAndSignable,
  signableBytes,
  writeEntry,
} from "./entry_json.ts";
export {
  decodeEntry,
  decodeEntryList,
  decodeEntryMap,
  decodeStringList,
  EntryDecodeError,
  readEntryInto,
} from "./entry_decode.ts";
export { GoJsonReader } from "./entry_reader.ts";
export { KEY_CACHE_SIZE, pubKeyFromHexCached } from "./_key_cache.ts";
export { EntrySignatureError, signEntry, verifyEntrySignature } from "./entry_sign.ts";
export {
  EntryValidationError,
  validateEntry,
  validateFirstRegistration,
  validateIteration,
  VALIDATION_CAUSES,
} from "./entry_validate.ts";
export type {
  ValidateEntryOptions,
  ValidateIterationOptions,
  ValidationRule,
} from "./entry_validate.ts";
export {
  DISC_MESSAGES,
  DISC_OK_MESSAGES,
  DiscoveryError,
  DiscoveryRequestError,
  errorKindFromMessage,
  httpMessageBytes,
} from "./errors.ts";
export type { DiscErrorKind, DiscoveryErrorOptions } from "./errors.ts";
export { DiscoveryClient } from "./client.ts";
export type {
  DiscoveryClientOptions,
  DiscoveryHealth,
  PutEntryResult,
  RequestOptions,
} from "./client.ts";
export { EntryPublisher } from "./publisher.ts";
export type { EntryPublisherOptions } from "./publisher.ts";
