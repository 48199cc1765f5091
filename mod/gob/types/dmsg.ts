import { go, type GoValue } from "../go_type.ts";
import { PubKey, SHA256 } from "./cipher.ts";

/** `dmsg.Addr{PK cipher.PubKey, Port uint16}`. */
export const Addr = go.struct("dmsg.Addr", { PK: PubKey, Port: go.uint16 });
/** Value of {@linkcode Addr}. */
export type Addr = GoValue<typeof Addr>;

/**
 * `dmsg.StreamRequest` as 2023/2024 peers define it. Encode with this one: a fresh encoder
 * sends the type definition, so extra fields would change the signed bytes.
 */
export const StreamRequest = go.struct("dmsg.StreamRequest", {
  Timestamp: go.int64,
  SrcAddr: Addr,
  DstAddr: Addr,
  NoiseMsg: go.bytes,
});
/** Value of {@linkcode StreamRequest}. */
export type StreamRequest = GoValue<typeof StreamRequest>;

/**
 * `dmsg.StreamRequest` with the 2026 fields `IPinfo` / `GeoInfo` (an IP lookup asks the server
 * to fill the response's IP and geo fields). Decoding with it accepts older peers' bytes too.
 */
export const StreamRequestV2026 = go.struct("dmsg.StreamRequest", {
  Timestamp: go.int64,
  SrcAddr: Addr,
  DstAddr: Addr,
  IPinfo: go.bool,
  GeoInfo: go.bool,
  NoiseMsg: go.bytes,
});
/** Value of {@linkcode StreamRequestV2026}. */
export type StreamRequestV2026 = GoValue<typeof StreamRequestV2026>;

/** dmsg's `errorCode` (a uint16). */
export const ErrorCode = go.named("dmsg.errorCode", go.uint16);

/** `dmsg.StreamResponse` as 2023/2024 peers define it. */
export const StreamResponse = go.struct("dmsg.StreamResponse", {
  ReqHash: SHA256,
  Accepted: go.bool,
  ErrCode: ErrorCode,
  NoiseMsg: go.bytes,
});
/** Value of {@linkcode StreamResponse}. */
export type StreamResponse = GoValue<typeof StreamResponse>;

/**
 * `net.IP`: a plain `[]byte` to gob (4 or 16 raw bytes; `ParseIP` gives 16 even for IPv4).
 * gob ignores its `MarshalText` on purpose (golang.org/issue/6760).
 */
export const IP = go.named("net.IP", go.bytes);

/** `dmsg.StreamResponse` with the 2026 IP and geo fields (filled on an IP lookup). */
export const StreamResponseV2026 = go.struct("dmsg.StreamResponse", {
  ReqHash: SHA256,
  Accepted: go.bool,
  IP,
  GeoCountry: go.string,
  GeoRegion: go.string,
  GeoLat: go.float64,
  GeoLon: go.float64,
  ErrCode: ErrorCode,
  NoiseMsg: go.bytes,
});
/** Value of {@linkcode StreamResponseV2026}. */
export type StreamResponseV2026 = GoValue<typeof StreamResponseV2026>;
