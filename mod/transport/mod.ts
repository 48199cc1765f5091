/**
 * Transports between visors, byte-compatible with Go skywire (2024).
 *
 * @module
 */
export {
  ENCRYPT_HANDSHAKE_TIMEOUT_MS,
  GET_NONCE,
  HANDSHAKE_NONCE_SIZE,
  MAX_HANDSHAKE_LINE,
  MIN_EPHEMERAL_PORT,
  NETWORK_HANDSHAKE_TIMEOUT_MS,
  SETTLEMENT_TIMEOUT_MS,
  SettlementResult,
  TRANSPORT_PING_INTERVAL_MS,
  TRANSPORT_PORT,
  TransportLabel,
  TransportType,
} from "./constants.ts";
export {
  AddressNotFoundError,
  MalformedFrameError,
  NetworkHandshakeError,
  PingTimeoutError,
  SettlementError,
  TransportClosedError,
  TransportDownError,
  TransportEntryError,
  TransportError,
  UnknownNetworkError,
} from "./errors.ts";
export type { NetworkHandshakeStep, SettlementStep } from "./errors.ts";
export {
  decodeEntry,
  decodeSignedEntry,
  decodeSignedEntryList,
  edgeIndex,
  encodeEntry,
  encodeSignedEntry,
  entryMismatch,
  entryToBinary,
  makeEntry,
  newSignedEntry,
  parseTransportId,
  remoteEdge,
  signEntry,
  verifyEntrySignature,
} from "./entry.ts";
export type { SignedTransportEntry, TransportEntry } from "./entry.ts";
export {
  decodeFrame1,
  decodeFrame2,
  decodeFrame3,
  encodeFrame1,
  encodeFrame2,
  encodeFrame3,
  signFrame2,
  verifyFrame2,
} from "./handshake_frames.ts";
export type { Frame2, Frame3 } from "./handshake_frames.ts";
export { initiatorHandshake, responderHandshake } from "./network_handshake.ts";
export type {
  InitiatorHandshakeOptions,
  NetworkHandshakeResult,
  ResponderHandshakeOptions,
} from "./network_handshake.ts";
export { encryptStream } from "./encrypt.ts";
export type { EncryptStreamOptions } from "./encrypt.ts";
export { initiateSettlement, respondSettlement } from "./settlement.ts";
export type { InitiateSettlementOptions, RespondSettlementOptions } from "./settlement.ts";
export type { AddressResolver, ResolvedAddress, TransportRegistry } from "./registry.ts";
export { AddressResolverClient, decodeVisorData } from "./ar_client.ts";
export type { AddressResolverClientOptions } from "./ar_client.ts";
