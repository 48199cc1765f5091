/**
 * dmsg: discovery entries with Go-canonical JSON, signing and validation, and the HTTP client
 * for the dmsg discovery API. (Sessions, streams and the server follow in later parts.)
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
} from "./disc_errors.ts";
export type { DiscErrorKind, DiscoveryErrorOptions } from "./disc_errors.ts";
export { DiscoveryClient } from "./disc_client.ts";
export type {
  DiscoveryClientOptions,
  DiscoveryHealth,
  PutEntryResult,
  RequestOptions,
} from "./disc_client.ts";
