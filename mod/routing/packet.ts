import { MAX_PACKET_PAYLOAD, PACKET_HEADER_SIZE, PacketType } from "./constants.ts";
import { PayloadTooLargeError, TruncatedPacketError, UnknownPacketTypeError } from "./errors.ts";
import { assertUint } from "./_fields.ts";
import { assertRouteId, type RouteId } from "./route_id.ts";

/** A routing packet: `type(1) ‖ routeID(4 BE) ‖ payloadLen(2 BE) ‖ payload`. */
export interface Packet {
  /** The type byte; named values in {@linkcode PacketType}. Any 0–255 value is carried. */
  type: PacketType;
  /** The route id the receiver looks its rule up by (0 for transport-level packets). */
  routeId: RouteId;
  /** The payload, at most 65535 bytes. */
  payload: Uint8Array;
}

/** A packet decoded from bytes: its payload and `frame` are views into those bytes. */
export interface DecodedPacket extends Packet {
  /** The whole packet, header included: `frame.length` is how many input bytes it used. */
  frame: Uint8Array;
}

// Go's `PacketType.String()` names, so our log lines read like theirs.
const TYPE_NAMES: readonly string[] = [
  "DataPacket",
  "ClosePacket",
  "KeepAlivePacket",
  "Handshake",
  "Ping",
  "Pong",
  "Error",
  "SACK",
  "TransportPing",
  "TransportPong",
  "CascadeSetup",
  "CascadeAck",
  "DHT",
  "SetupRPC",
  "VisorRPC",
  "SkynetForward",
  "AppDirect",
  "Datagram",
  "TransportBwProbe",
  "TransportBwAck",
];

/** Whether `type` is one of the {@linkcode PacketType} values (Go 2024 or 2026). */
export function isKnownPacketType(type: number): boolean {
  return Number.isInteger(type) && type >= 0 && type < TYPE_NAMES.length;
}

/** Throw {@linkcode UnknownPacketTypeError} unless `type` is a known packet type. */
export function assertKnownPacketType(type: number): void {
  if (!isKnownPacketType(type)) throw new UnknownPacketTypeError(type);
}

/** Go's display name of a packet type, `Unknown(n)` for types it has no name for. */
export function packetTypeName(type: number): string {
  return isKnownPacketType(type) ? TYPE_NAMES[type] : `Unknown(${type})`;
}

/**
 * Encode a packet into one new buffer (header and payload together, one allocation, one copy
 * of the payload). Throws {@linkcode PayloadTooLargeError} over 65535 payload bytes and
 * `InvalidFieldError` for a type outside 0–255 or a route id outside uint32.
 */
export function encodePacket(packet: Packet): Uint8Array {
  const { type, routeId, payload } = packet;
  assertUint(type, 0xff, "packet type");
  assertRouteId(routeId);
  if (payload.length > MAX_PACKET_PAYLOAD) throw new PayloadTooLargeError(payload.length);
  const out = new Uint8Array(PACKET_HEADER_SIZE + payload.length);
  writeHeader(out, type, routeId, payload.length);
  out.set(payload, PACKET_HEADER_SIZE);
  return out;
}

/**
 * Decode the packet at the start of `bytes` without copying: `payload` and `frame` are
 * subarrays of `bytes` and change if `bytes` does. Bytes after the packet are left alone
 * (`frame.length` says where the next packet starts). Every type byte is accepted, because
 * framing does not depend on it: a 2024 Go visor likewise reads any packet and only logs
 * "unknown packet type" when it handles one, and 2026 peers send types 2024 never had. Callers
 * that must refuse unknown types use {@linkcode assertKnownPacketType}. Throws
 * {@linkcode TruncatedPacketError} when `bytes` holds less than the header and payload.
 */
export function decodePacket(bytes: Uint8Array): DecodedPacket {
  if (bytes.length < PACKET_HEADER_SIZE) {
    throw new TruncatedPacketError(bytes.length, PACKET_HEADER_SIZE);
  }
  const size = PACKET_HEADER_SIZE + ((bytes[5] << 8) | bytes[6]);
  if (bytes.length < size) throw new TruncatedPacketError(bytes.length, size);
  return {
    type: bytes[0],
    routeId: readRouteId(bytes),
    payload: bytes.subarray(PACKET_HEADER_SIZE, size),
    frame: bytes.length === size ? bytes : bytes.subarray(0, size),
  };
}

/**
 * Overwrite the route id of an encoded packet in place: an intermediary forwards a packet by
 * rewriting the id to the rule's next route id, with no copy.
 */
export function setPacketRouteId(frame: Uint8Array, routeId: RouteId): void {
  assertRouteId(routeId);
  if (frame.length < PACKET_HEADER_SIZE) {
    throw new TruncatedPacketError(frame.length, PACKET_HEADER_SIZE);
  }
  frame[1] = routeId >>> 24;
  frame[2] = routeId >>> 16;
  frame[3] = routeId >>> 8;
  frame[4] = routeId;
}

function readRouteId(bytes: Uint8Array): number {
  return ((bytes[1] << 24) | (bytes[2] << 16) | (bytes[3] << 8) | bytes[4]) >>> 0;
}

function writeHeader(out: Uint8Array, type: number, routeId: number, length: number): void {
  out[0] = type;
  out[1] = routeId >>> 24;
  out[2] = routeId >>> 16;
  out[3] = routeId >>> 8;
  out[4] = routeId;
  out[5] = length >>> 8;
  out[6] = length;
}
