/**
 * Gob descriptions of dmsg's wire structs: the signed stream request and response (both the
 * 2023/2024 and the 2026 field sets) and what they embed. Each constant is both the description
 * (pass it to `encodeGob`/`decodeGob`) and, as a type, the TypeScript value it maps to. The
 * public face exports them as `dmsgGob`.
 *
 * @module
 */
import { cipherGob, type PubKey } from "../cipher/mod.ts";
import { type BytesType, go, type StructType, type UintType } from "../gob/mod.ts";

/** A dmsg address: public key and port. */
export interface Addr {
  /** The entity's public key. */
  PK: PubKey;
  /** The dmsg port. */
  Port: number;
}
/** `dmsg.Addr{PK cipher.PubKey, Port uint16}`. */
export const Addr: StructType<Addr> = go.struct("dmsg.Addr", {
  PK: cipherGob.PubKey,
  Port: go.uint16,
});

/** A stream dial request (2023/2024 fields). */
export interface StreamRequest {
  /** Unix nanoseconds. */
  Timestamp: bigint;
  /** The dialer. */
  SrcAddr: Addr;
  /** The listener. */
  DstAddr: Addr;
  /** Noise KK message 1. */
  NoiseMsg: Uint8Array;
}
/**
 * `dmsg.StreamRequest` as 2023/2024 peers define it. Encode with this one: a fresh encoder
 * sends the type definition, so extra fields would change the signed bytes.
 */
export const StreamRequest: StructType<StreamRequest> = go.struct("dmsg.StreamRequest", {
  Timestamp: go.int64,
  SrcAddr: Addr,
  DstAddr: Addr,
  NoiseMsg: go.bytes,
});

/** A stream dial request with the 2026 lookup flags. */
export interface StreamRequestV2026 extends StreamRequest {
  /** Ask the server for the dialer's public IP. */
  IPinfo: boolean;
  /** Ask for geo information too. */
  GeoInfo: boolean;
}
/**
 * `dmsg.StreamRequest` with the 2026 fields `IPinfo` / `GeoInfo` (an IP lookup asks the server
 * to fill the response's IP and geo fields). Decoding with it accepts older peers' bytes too.
 */
export const StreamRequestV2026: StructType<StreamRequestV2026> = go.struct(
  "dmsg.StreamRequest",
  {
    Timestamp: go.int64,
    SrcAddr: Addr,
    DstAddr: Addr,
    IPinfo: go.bool,
    GeoInfo: go.bool,
    NoiseMsg: go.bytes,
  },
);

/** dmsg's `errorCode` (a uint16). */
export const ErrorCode: UintType<number> = go.named("dmsg.errorCode", go.uint16);

/** A stream dial response (2023/2024 fields). */
export interface StreamResponse {
  /** SHA-256 of the whole signed request. */
  ReqHash: Uint8Array;
  /** Whether the listener took the stream. */
  Accepted: boolean;
  /** Why not, when not accepted. */
  ErrCode: number;
  /** Noise KK message 2. */
  NoiseMsg: Uint8Array;
}
/** `dmsg.StreamResponse` as 2023/2024 peers define it. */
export const StreamResponse: StructType<StreamResponse> = go.struct("dmsg.StreamResponse", {
  ReqHash: cipherGob.SHA256,
  Accepted: go.bool,
  ErrCode: ErrorCode,
  NoiseMsg: go.bytes,
});

/**
 * `net.IP`: a plain `[]byte` to gob (4 or 16 raw bytes; `ParseIP` gives 16 even for IPv4).
 * gob ignores its `MarshalText` on purpose (golang.org/issue/6760).
 */
export const IP: BytesType = go.named("net.IP", go.bytes);

/** A stream dial response with the 2026 IP and geo fields. */
export interface StreamResponseV2026 extends StreamResponse {
  /** The dialer's public IP as raw bytes (empty when not asked). */
  IP: Uint8Array;
  /** Country code. */
  GeoCountry: string;
  /** Region name. */
  GeoRegion: string;
  /** Latitude. */
  GeoLat: number;
  /** Longitude. */
  GeoLon: number;
}
/** `dmsg.StreamResponse` with the 2026 IP and geo fields (filled on an IP lookup). */
export const StreamResponseV2026: StructType<StreamResponseV2026> = go.struct(
  "dmsg.StreamResponse",
  {
    ReqHash: cipherGob.SHA256,
    Accepted: go.bool,
    IP,
    GeoCountry: go.string,
    GeoRegion: go.string,
    GeoLat: go.float64,
    GeoLon: go.float64,
    ErrCode: ErrorCode,
    NoiseMsg: go.bytes,
  },
);
