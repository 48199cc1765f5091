/**
 * Skywire routing data: the packets visors exchange on transports, the rules that tell each hop
 * where a packet goes, route descriptors, route ids, and the in-memory routing table.
 *
 * - Packets (`type(1) ‖ routeID(4 BE) ‖ payloadLen(2 BE) ‖ payload`): {@linkcode encodePacket},
 *   {@linkcode decodePacket} (zero-copy views), {@linkcode PacketReader} (a stream of them),
 *   and the payload helpers in `payloads.ts`. Unknown type bytes pass through; see
 *   {@linkcode decodePacket} for why.
 * - Rules: {@linkcode Rule} (a view over Go's 83/120/50-byte layouts), {@linkcode ruleSummary}
 *   and {@linkcode ruleFromSummary} for Go's `RuleSummary` JSON.
 * - {@linkcode RouteDescriptor} (70 bytes; its `key()` is how route groups are looked up).
 * - {@linkcode RoutingTable}: rules by key route id, id reservation, idle expiry.
 *
 * Every error thrown for bad input is a {@linkcode RoutingError}.
 *
 * @module
 */
export {
  Capability,
  CloseCode,
  DEFAULT_ROUTE_KEEP_ALIVE_MS,
  DEFAULT_RULES_GC_INTERVAL_MS,
  MAX_PACKET_PAYLOAD,
  MAX_PACKET_SIZE,
  MAX_ROUTE_ID,
  PACKET_HEADER_SIZE,
  PacketType,
  ROUTE_DESCRIPTOR_SIZE,
  RULE_HEADER_SIZE,
  RULE_SIZE,
  RuleType,
  SACK_MAX_WORDS,
  TRANSPORT_BW_PROBE_SIZE,
} from "./constants.ts";
export {
  InvalidFieldError,
  InvalidRouteDescriptorError,
  InvalidRuleError,
  MalformedPayloadError,
  PayloadTooLargeError,
  RouteIdsExhaustedError,
  RoutingError,
  TruncatedPacketError,
  UnknownPacketTypeError,
} from "./errors.ts";
export {
  assertKnownPacketType,
  decodePacket,
  encodePacket,
  isKnownPacketType,
  packetTypeName,
  setPacketRouteId,
} from "./packet.ts";
export type { DecodedPacket, Packet } from "./packet.ts";
export { PacketReader } from "./packet_reader.ts";
export type { PacketReaderOptions } from "./packet_reader.ts";
export {
  decodeBwAckPayload,
  decodeBwProbePayload,
  decodeClosePayload,
  decodeHandshakePayload,
  decodePingPayload,
  decodePongPayload,
  decodeSackPayload,
  decodeTransportPingPayload,
  encodeBwAckPayload,
  encodeBwProbePayload,
  encodeClosePayload,
  encodeHandshakePayload,
  encodePingPayload,
  encodePongPayload,
  encodeSackPayload,
  encodeTransportPingPayload,
} from "./payloads.ts";
export type { BwAck, BwProbe, Handshake, Ping, Pong, Sack } from "./payloads.ts";
export { assertRouteId, isRouteId } from "./route_id.ts";
export type { RouteId } from "./route_id.ts";
export { RouteDescriptor } from "./route_descriptor.ts";
export type { RouteDescriptorFields, RouteDescriptorInit } from "./route_descriptor.ts";
export { Rule } from "./rule.ts";
export type {
  ConsumeRuleInit,
  ForwardRuleInit,
  IntermediaryForwardRuleInit,
  RuleHeaderInit,
} from "./rule.ts";
export { ruleFromSummary, ruleSummary } from "./rule_summary.ts";
export type {
  RuleForwardFields,
  RuleIntermediaryForwardFields,
  RuleSummary,
} from "./rule_summary.ts";
export { DEFAULT_RESERVATION_TTL_MS, MAX_RESERVATION, RoutingTable } from "./routing_table.ts";
export type { RoutingTableOptions, RoutingTableStats } from "./routing_table.ts";
export * as routingGob from "./gob_types.ts";
