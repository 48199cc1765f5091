import type { Logger } from "../log/mod.ts";
import {
  type DecodedPacket,
  PacketType,
  packetTypeName,
  type RoutingTable,
  type Rule,
  RuleType,
  setPacketRouteId,
} from "../routing/mod.ts";
import type { RouteGroup, RouteTransport, RouteTransports } from "./route_group.ts";

/** Why a packet from a transport was dropped. */
export type DropReason =
  | "unknownRoute"
  | "malformed"
  | "unknownType"
  | "noGroup"
  | "noTransport"
  | "noTransit"
  | "writeFailed";

/** Packet counters of a router (for leak and fuzz tests, and status pages). */
export interface PacketCounters {
  /** Packets handed to the router by its transports. */
  received: number;
  /** Packets relayed to the next hop. */
  forwarded: number;
  /** Packets handed to one of our route groups. */
  delivered: number;
  /** Packets dropped, by reason. */
  dropped: Record<DropReason, number>;
}

/** A fresh set of zero counters. */
export function newPacketCounters(): PacketCounters {
  return {
    received: 0,
    forwarded: 0,
    delivered: 0,
    dropped: {
      unknownRoute: 0,
      malformed: 0,
      unknownType: 0,
      noGroup: 0,
      noTransport: 0,
      noTransit: 0,
      writeFailed: 0,
    },
  };
}

/** What the dispatcher reads from its router. */
export interface DispatchContext {
  /** The routing table. */
  table: RoutingTable;
  /** Transports by id. */
  transports: RouteTransports;
  /** The route group a Consume rule belongs to. */
  groupOf(rule: Rule): RouteGroup | undefined;
  /** Refuse to relay for others (`routing.no_transit`). */
  noTransit: boolean;
  /** Counters to update. */
  counters: PacketCounters;
  /** Where drops are logged (debug). */
  log?: Logger;
}

// Smallest payload Go reads from each type without going out of bounds.
const MIN_PAYLOAD: Record<number, number> = {
  [PacketType.Close]: 1,
  [PacketType.Handshake]: 1,
  [PacketType.Ping]: 16,
  [PacketType.Pong]: 8,
};

// Types a relay passes on: Go 2024's seven, plus 2026's route-level SACK and Datagram, which a
// relay forwards without reading.
const RELAYED = new Set<number>([
  PacketType.Data,
  PacketType.Close,
  PacketType.KeepAlive,
  PacketType.Handshake,
  PacketType.Ping,
  PacketType.Pong,
  PacketType.Error,
  PacketType.SACK,
  PacketType.Datagram,
]);

/**
 * Route one packet from a transport by its rule (Go `handleTransportPacket`): Forward and
 * IntermediaryForward rules relay it (route id rewritten in place, written to the next
 * transport, rule activity refreshed), a Consume rule hands it to its route group. A Close
 * also removes the rule it came in on, relayed or not. Everything unroutable or malformed is
 * dropped and counted; nothing here throws.
 *
 * The packet's bytes are the transport reader's: the returned promise settles once they are no
 * longer needed (relayed, or buffered by the group, which may wait for its reader).
 */
export function dispatchPacket(
  ctx: DispatchContext,
  packet: DecodedPacket,
  from: RouteTransport,
): Promise<void> | void {
  ctx.counters.received++;
  const { type } = packet;
  if (!RELAYED.has(type) || packet.routeId === 0) return drop(ctx, "unknownType", packet, from);
  if (packet.payload.length < (MIN_PAYLOAD[type] ?? 0)) {
    return drop(ctx, "malformed", packet, from);
  }
  const rule = ctx.table.getRule(packet.routeId);
  if (!rule) return drop(ctx, "unknownRoute", packet, from);
  if (rule.type === RuleType.Consume) return deliver(ctx, packet, rule, from);
  if (type === PacketType.KeepAlive && rule.type === RuleType.Forward) return; // Go: nothing to do
  if (type === PacketType.Close && rule.type === RuleType.Forward) {
    return drop(ctx, "unknownRoute", packet, from); // our own group's rule: only it closes it
  }
  if (ctx.noTransit) return drop(ctx, "noTransit", packet, from);
  return relay(ctx, packet, rule, from);
}

function deliver(
  ctx: DispatchContext,
  packet: DecodedPacket,
  rule: Rule,
  from: RouteTransport,
): Promise<void> | void {
  const group = ctx.groupOf(rule);
  if (packet.type === PacketType.Close) ctx.table.deleteRule(rule.keyRouteId, rule);
  if (!group || (packet.type !== PacketType.Data && !isGroupType(packet.type))) {
    return drop(ctx, group ? "unknownType" : "noGroup", packet, from);
  }
  ctx.counters.delivered++;
  try {
    return group.handlePacket(packet);
  } catch (error) {
    ctx.counters.delivered--;
    ctx.log?.debug("route group refused a packet", { error: String(error) });
    return drop(ctx, "malformed", packet, from);
  }
}

function isGroupType(type: number): boolean {
  return type <= PacketType.Error; // SACK and Datagram need mux, which we do not offer
}

async function relay(
  ctx: DispatchContext,
  packet: DecodedPacket,
  rule: Rule,
  from: RouteTransport,
): Promise<void> {
  const next = ctx.transports.transport(rule.nextTransportId);
  if (packet.type === PacketType.Close) ctx.table.deleteRule(rule.keyRouteId, rule);
  if (!next || next.isClosed) return drop(ctx, "noTransport", packet, from);
  setPacketRouteId(packet.frame, rule.nextRouteId);
  try {
    await next.writePacket(packet.frame);
  } catch (error) {
    ctx.log?.debug("relay write failed", { tp_id: next.id, error: String(error) });
    return drop(ctx, "writeFailed", packet, from);
  }
  ctx.table.touch(rule.keyRouteId);
  ctx.counters.forwarded++;
}

function drop(
  ctx: DispatchContext,
  reason: DropReason,
  packet: DecodedPacket,
  from: RouteTransport,
): void {
  ctx.counters.dropped[reason]++;
  if (ctx.log?.enabled("debug")) {
    ctx.log.debug("packet dropped", {
      reason,
      type: packetTypeName(packet.type),
      route_id: packet.routeId,
      tp_id: from.id,
    });
  }
}
