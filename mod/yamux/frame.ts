import { YamuxProtocolError } from "./errors.ts";
import { writeHeader } from "./_header_bytes.ts";

/** Size of every yamux frame header in bytes. */
export const HEADER_SIZE = 12;

/** The only protocol version hashicorp yamux speaks (header byte 0). */
export const PROTOCOL_VERSION = 0;

/** Frame types (header byte 1). */
export const FrameType = {
  /** Stream data; `length` payload bytes follow the header. */
  Data: 0,
  /** Adds `length` bytes to the receiver's send window for a stream. */
  WindowUpdate: 1,
  /** Session ping; `length` is an opaque value echoed back with ACK. */
  Ping: 2,
  /** Session termination notice; `length` is a {@linkcode GoAwayCode}. */
  GoAway: 3,
} as const;

/** One of the values of {@linkcode FrameType}. */
export type FrameType = typeof FrameType[keyof typeof FrameType];

/** Header flag bits (header bytes 2-3). */
export const Flag = {
  /** Opens a stream (or marks an outbound ping). */
  SYN: 1,
  /** Acknowledges a stream open (or answers a ping). */
  ACK: 2,
  /** Half-closes the sender's side of a stream. */
  FIN: 4,
  /** Resets a stream immediately. */
  RST: 8,
} as const;

/** GoAway reasons carried in the length field. */
export const GoAwayCode = {
  /** The sender accepts no more streams; existing streams go on. */
  Normal: 0,
  /** The sender saw a protocol violation and is closing the session. */
  ProtocolError: 1,
  /** The sender failed internally and is closing the session. */
  InternalError: 2,
} as const;

/** A decoded frame header. `streamId` and `length` are uint32, `flags` uint16. */
export interface FrameHeader {
  /** Frame type. */
  type: FrameType;
  /** Bitwise OR of {@linkcode Flag} values; unknown bits are kept and ignored. */
  flags: number;
  /** Stream the frame is for; 0 for Ping and GoAway. */
  streamId: number;
  /** Payload size (Data), window delta (WindowUpdate), opaque value (Ping) or code (GoAway). */
  length: number;
}

/**
 * Write the 12-byte big-endian header into `into` at `offset` (a new array when omitted).
 * Throws `RangeError` for out-of-range fields: headers are built by us, never from the wire.
 */
export function encodeHeader(header: FrameHeader, into?: Uint8Array, offset = 0): Uint8Array {
  const { type, flags, streamId, length } = header;
  if (!isUint(type, 0xff) || !isUint(flags, 0xffff)) throw new RangeError("bad type or flags");
  if (!isUint(streamId, 0xffffffff) || !isUint(length, 0xffffffff)) {
    throw new RangeError("stream id and length must be uint32");
  }
  const out = into ?? new Uint8Array(HEADER_SIZE);
  if (offset < 0 || offset + HEADER_SIZE > out.length) throw new RangeError("no room for header");
  writeHeader(out, offset, type, flags, streamId, length);
  return out;
}

/**
 * Decode the header at `offset`. Throws {@linkcode YamuxProtocolError} for a short input, a
 * version other than 0, or an unknown type (what hashicorp yamux rejects); flags are not checked.
 */
export function decodeHeader(bytes: Uint8Array, offset = 0): FrameHeader {
  if (offset < 0 || bytes.length - offset < HEADER_SIZE) {
    throw new YamuxProtocolError("short frame header");
  }
  if (bytes[offset] !== PROTOCOL_VERSION) {
    throw new YamuxProtocolError(`invalid protocol version ${bytes[offset]}`);
  }
  const type = bytes[offset + 1];
  if (type > FrameType.GoAway) throw new YamuxProtocolError(`invalid frame type ${type}`);
  return {
    type: type as FrameType,
    flags: (bytes[offset + 2] << 8) | bytes[offset + 3],
    streamId: readUint32(bytes, offset + 4),
    length: readUint32(bytes, offset + 8),
  };
}

function readUint32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) |
    bytes[offset + 3]) >>> 0;
}

function isUint(value: number, max: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= max;
}
