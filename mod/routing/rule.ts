import {
  isTransportIdText,
  TRANSPORT_ID_SIZE,
  transportIdFromBytes,
  transportIdToBytes,
} from "../cipher/mod.ts";
import { ROUTE_DESCRIPTOR_SIZE, RULE_HEADER_SIZE, RULE_SIZE, RuleType } from "./constants.ts";
import { InvalidFieldError, InvalidRuleError } from "./errors.ts";
import { viewOf } from "./_fields.ts";
import { RouteDescriptor } from "./route_descriptor.ts";
import { assertRouteId, type RouteId } from "./route_id.ts";

const TYPE_OFFSET = 8;
const KEY_ROUTE_ID_OFFSET = 9;
const MAX_INT64 = (1n << 63n) - 1n;

// Where the next-hop fields start: Forward rules carry the route descriptor first.
const NEXT_OFFSET: Record<number, number> = {
  [RuleType.Forward]: RULE_HEADER_SIZE + ROUTE_DESCRIPTOR_SIZE,
  [RuleType.IntermediaryForward]: RULE_HEADER_SIZE,
};

// Bytes a rule must have for its fields to be readable. Go pads Forward and IntermediaryForward
// rules 17 bytes beyond this (RULE_SIZE), but its accessors only need these.
const MIN_SIZE: Record<number, number> = {
  [RuleType.Consume]: RULE_HEADER_SIZE + ROUTE_DESCRIPTOR_SIZE,
  [RuleType.Forward]: RULE_HEADER_SIZE + ROUTE_DESCRIPTOR_SIZE + 4 + TRANSPORT_ID_SIZE,
  [RuleType.IntermediaryForward]: RULE_HEADER_SIZE + 4 + TRANSPORT_ID_SIZE,
};

const TYPE_NAMES = ["Consume", "Forward", "IntermediaryForward"] as const;

/**
 * The rule header fields. Give the keep-alive in exactly one unit; Go stores nanoseconds and
 * clamps a negative keep-alive to 0.
 */
export interface RuleHeaderInit {
  /** Idle time after which the rule expires, in nanoseconds. */
  keepAliveNs?: bigint;
  /** Idle time after which the rule expires, in milliseconds. */
  keepAliveMs?: number;
  /** The route id this rule is stored under in its visor's table. */
  keyRouteId: RouteId;
}

/** Fields of a Consume rule. */
export interface ConsumeRuleInit extends RuleHeaderInit {
  /** The route as seen from this (destination) end. */
  descriptor: RouteDescriptor;
}

/** Fields of an IntermediaryForward rule. */
export interface IntermediaryForwardRuleInit extends RuleHeaderInit {
  /** Route id the next hop stores its rule under. */
  nextRouteId: RouteId;
  /** Transport to send on: dashed UUID text or 16 bytes. */
  nextTransportId: string | Uint8Array;
}

/** Fields of a Forward rule. */
export interface ForwardRuleInit extends IntermediaryForwardRuleInit {
  /** The route as seen from this (source) end. */
  descriptor: RouteDescriptor;
}

/**
 * A routing rule as Go lays it out (`pkg/routing/rule.go`): a 13-byte header
 * `keepAlive(8 BE, ns) ‖ type(1) ‖ keyRouteID(4 BE)` and a body by type:
 *
 * | type | body | size |
 * |---|---|---|
 * | Consume (0) | RouteDescriptor(70) | 83 |
 * | Forward (1) | RouteDescriptor(70) ‖ nextRouteID(4) ‖ nextTpID(16) ‖ 17 zero bytes | 120 |
 * | IntermediaryForward (2) | nextRouteID(4) ‖ nextTpID(16) ‖ 17 zero bytes | 50 |
 *
 * A `Rule` is a view over its bytes: accessors read them on demand and nothing is copied.
 * Accessors for a field the rule's type lacks throw {@linkcode InvalidRuleError} (Go panics).
 */
export class Rule {
  /** The rule's bytes; do not modify them. */
  readonly bytes: Uint8Array;

  private constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  /**
   * Wrap rule bytes without copying (copy first if the buffer will be reused). Checks the type
   * and that the bytes are long enough for its fields; like Go, it accepts longer input and
   * keeps it as is. Throws {@linkcode InvalidRuleError}.
   */
  static fromBytes(bytes: Uint8Array): Rule {
    if (bytes.length < RULE_HEADER_SIZE) {
      throw new InvalidRuleError(`rule is ${bytes.length} bytes, shorter than its header`);
    }
    const type = bytes[TYPE_OFFSET];
    const min = MIN_SIZE[type];
    if (min === undefined) throw new InvalidRuleError(`unknown rule type ${type}`);
    if (bytes.length < min) {
      throw new InvalidRuleError(
        `${TYPE_NAMES[type]} rule is ${bytes.length} bytes, want at least ${min}`,
      );
    }
    return new Rule(bytes);
  }

  /** A Consume rule (83 bytes): the last hop, where a route group reads the packets. */
  static consume(init: ConsumeRuleInit): Rule {
    const bytes = newRule(RuleType.Consume, init);
    bytes.set(init.descriptor.bytes, RULE_HEADER_SIZE);
    return new Rule(bytes);
  }

  /** A Forward rule (120 bytes): the first hop, from a local route group to a transport. */
  static forward(init: ForwardRuleInit): Rule {
    const bytes = newRule(RuleType.Forward, init);
    bytes.set(init.descriptor.bytes, RULE_HEADER_SIZE);
    writeNextHop(bytes, NEXT_OFFSET[RuleType.Forward], init);
    return new Rule(bytes);
  }

  /** An IntermediaryForward rule (50 bytes): a relay hop. */
  static intermediaryForward(init: IntermediaryForwardRuleInit): Rule {
    const bytes = newRule(RuleType.IntermediaryForward, init);
    writeNextHop(bytes, NEXT_OFFSET[RuleType.IntermediaryForward], init);
    return new Rule(bytes);
  }

  /** Keep-alive in nanoseconds, signed like Go's `time.Duration` (negative: always expired). */
  get keepAliveNs(): bigint {
    return viewOf(this.bytes).getBigInt64(0);
  }

  /** Keep-alive in milliseconds (fractional below 1 ms). */
  get keepAliveMs(): number {
    return Number(this.keepAliveNs) / 1e6;
  }

  /** The rule type. */
  get type(): RuleType {
    return this.bytes[TYPE_OFFSET] as RuleType;
  }

  /** Go's name of the type: `Consume`, `Forward` or `IntermediaryForward`. */
  get typeName(): string {
    return TYPE_NAMES[this.type];
  }

  /** The route id this rule is stored under. */
  get keyRouteId(): RouteId {
    return readUint32(this.bytes, KEY_ROUTE_ID_OFFSET);
  }

  /** The route descriptor (a view) of a Consume or Forward rule. */
  get routeDescriptor(): RouteDescriptor {
    if (this.type === RuleType.IntermediaryForward) throw this.#lacks("a route descriptor");
    return RouteDescriptor.fromBytes(
      this.bytes.subarray(RULE_HEADER_SIZE, RULE_HEADER_SIZE + ROUTE_DESCRIPTOR_SIZE),
    );
  }

  /** The next hop's route id (Forward and IntermediaryForward). */
  get nextRouteId(): RouteId {
    return readUint32(this.bytes, this.#nextOffset("a next route id"));
  }

  /** The next transport id's 16 bytes, a view (Forward and IntermediaryForward). */
  get nextTransportIdBytes(): Uint8Array {
    const offset = this.#nextOffset("a next transport id") + 4;
    return this.bytes.subarray(offset, offset + TRANSPORT_ID_SIZE);
  }

  /** The next transport id as dashed UUID text (Forward and IntermediaryForward). */
  get nextTransportId(): string {
    return transportIdFromBytes(this.nextTransportIdBytes);
  }

  /** A copy of this rule stored under another key route id (Go `SetKeyRouteID`). */
  withKeyRouteId(keyRouteId: RouteId): Rule {
    assertRouteId(keyRouteId, "key route id");
    const bytes = this.bytes.slice();
    viewOf(bytes).setUint32(KEY_ROUTE_ID_OFFSET, keyRouteId);
    return new Rule(bytes);
  }

  /** Go's display form, e.g. `FWD(keyRtID:1, nxtRtID:2, nxtTpID:…, rAddr:…, lAddr:…)`. */
  toString(): string {
    const key = this.keyRouteId;
    switch (this.type) {
      case RuleType.Consume:
        return `REV(keyRtID:${key}, ${this.routeDescriptor})`;
      case RuleType.Forward:
        return `FWD(keyRtID:${key}, nxtRtID:${this.nextRouteId}, nxtTpID:${this.nextTransportId}, ${this.routeDescriptor})`;
      default:
        return `INTER(keyRtID:${key}, nxtRtID:${this.nextRouteId}, nxtTpID:${this.nextTransportId})`;
    }
  }

  #nextOffset(what: string): number {
    const offset = NEXT_OFFSET[this.type];
    if (offset === undefined) throw this.#lacks(what);
    return offset;
  }

  #lacks(what: string): InvalidRuleError {
    return new InvalidRuleError(`${this.typeName} rule has no ${what}`);
  }
}

// Read without a DataView: routers call these per packet.
function readUint32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) |
    bytes[offset + 3]) >>> 0;
}

function newRule(type: RuleType, init: RuleHeaderInit): Uint8Array {
  assertRouteId(init.keyRouteId, "key route id");
  const bytes = new Uint8Array(RULE_SIZE[type]);
  const view = viewOf(bytes);
  view.setBigInt64(0, keepAliveNs(init));
  bytes[TYPE_OFFSET] = type;
  view.setUint32(KEY_ROUTE_ID_OFFSET, init.keyRouteId);
  return bytes;
}

function keepAliveNs(init: RuleHeaderInit): bigint {
  const { keepAliveNs: ns, keepAliveMs: ms } = init;
  if ((ns === undefined) === (ms === undefined)) {
    throw new InvalidFieldError("give the keep-alive as exactly one of keepAliveNs, keepAliveMs");
  }
  let value: bigint;
  if (ns !== undefined) {
    if (typeof ns !== "bigint") throw new InvalidFieldError(`keepAliveNs must be a bigint`);
    value = ns;
  } else {
    if (typeof ms !== "number" || !Number.isFinite(ms)) {
      throw new InvalidFieldError(`keepAliveMs must be a finite number, got ${ms}`);
    }
    value = BigInt(Math.round(ms! * 1e6));
  }
  if (value > MAX_INT64) throw new InvalidFieldError(`keep-alive ${value} ns exceeds int64`);
  return value < 0n ? 0n : value;
}

function writeNextHop(
  bytes: Uint8Array,
  offset: number,
  init: IntermediaryForwardRuleInit,
): void {
  assertRouteId(init.nextRouteId, "next route id");
  const next = init.nextTransportId;
  if (typeof next === "string" && !isTransportIdText(next)) {
    throw new InvalidFieldError(`transport id must be dashed UUID text, got ${next}`);
  }
  const id = typeof next === "string" ? transportIdToBytes(next) : next;
  if (!(id instanceof Uint8Array) || id.length !== TRANSPORT_ID_SIZE) {
    throw new InvalidFieldError("next transport id must be UUID text or 16 bytes");
  }
  viewOf(bytes).setUint32(offset, init.nextRouteId);
  bytes.set(id, offset + 4);
}
