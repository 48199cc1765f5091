/**
 * Go's `encoding/gob` (the subset Skywire sends) and Go's `net/rpc` over gob.
 *
 * Describe a Go type with {@linkcode go} (the protocols keep theirs beside them: `dmsgGob` in
 * `mod/dmsg`, `routingGob` in `mod/routing`, `cipherGob` in `mod/cipher`), then:
 *
 * - {@linkcode encodeGob} / {@linkcode decodeGob}: one value with its type definitions, as a
 *   fresh Go encoder writes it (dmsg's signed stream request/response).
 * - {@linkcode GobEncoder} / {@linkcode GobDecoder} (+ {@linkcode GobMessageReader}): a stream
 *   where each type is defined once.
 * - {@linkcode RpcClient} / {@linkcode RpcServer}: net/rpc calls (route setup).
 *
 * Encoding is byte-identical to Go for the same type ids ({@linkcode GobTypeRegistry}).
 * Decoding matches struct fields by name, skips unknown ones, zero-fills missing ones, and
 * reports bad input only as {@linkcode GobError}.
 *
 * @example Encode and decode a dmsg stream request
 * ```ts
 * import { decodeGob, encodeGob } from "./mod.ts";
 * import { dmsgGob } from "../dmsg/mod.ts";
 * import { PubKey } from "../cipher/mod.ts";
 *
 * const { StreamRequest } = dmsgGob;
 * const req: dmsgGob.StreamRequest = {
 *   Timestamp: 1_700_000_000_000_000_000n,
 *   SrcAddr: { PK: PubKey.NULL, Port: 49153 },
 *   DstAddr: { PK: PubKey.NULL, Port: 80 },
 *   NoiseMsg: new Uint8Array([1, 2, 3]),
 * };
 * const bytes = encodeGob(StreamRequest, req);
 * const back = decodeGob(StreamRequest, bytes);
 * ```
 *
 * @module
 */
export { go } from "./go_type.ts";
export type {
  AnyGobType,
  ArrayType,
  BoolType,
  ByteArrayType,
  BytesType,
  ExternalOptions,
  ExternalType,
  FloatType,
  GobKind,
  GobType,
  GoTypeBuilders,
  GoValue,
  IntType,
  Marshaler,
  NamedBase,
  SliceType,
  StringType,
  StructField,
  StructType,
  UintType,
} from "./go_type.ts";
export { encodeGob, GobEncoder } from "./encoder.ts";
export type { GobEncoderOptions, GobItem } from "./encoder.ts";
export { decodeGob, DEFAULT_MAX_MESSAGE_SIZE, GobDecoder } from "./decoder.ts";
export type { GobDecoderOptions, PendingValue } from "./decoder.ts";
export { GobMessageReader } from "./message_reader.ts";
export type { GobMessageReaderOptions } from "./message_reader.ts";
export { GobTypeRegistry } from "./registry.ts";
export type { GobTypeRegistryOptions } from "./registry.ts";
export type { WireField, WireType } from "./_wire_type.ts";
export { GobError, RpcError } from "./errors.ts";
export type { GobErrorCode, RpcErrorCode } from "./errors.ts";
export { RpcClient } from "./rpc_client.ts";
export type { RpcCall, RpcClientOptions } from "./rpc_client.ts";
export { rpcMethod, RpcServer } from "./rpc_server.ts";
export type { AnyRpcMethod, RpcCallContext, RpcMethod, RpcServerOptions } from "./rpc_server.ts";
export { RpcInvalidRequest, RpcRequestHeader, RpcResponseHeader } from "./rpc_header.ts";
