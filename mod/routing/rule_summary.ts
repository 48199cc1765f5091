import { CipherError, PubKey } from "../cipher/mod.ts";
import { RuleType } from "./constants.ts";
import { InvalidRuleError, RoutingError } from "./errors.ts";
import { RouteDescriptor, type RouteDescriptorFields } from "./route_descriptor.ts";
import { Rule } from "./rule.ts";

/** Go's `RuleForwardFields` JSON. */
export interface RuleForwardFields {
  /** The route descriptor. */
  route_descriptor: RouteDescriptorFields;
  /** Next route id. */
  next_rid: number;
  /** Next transport id, dashed UUID text. */
  next_tid: string;
}

/** Go's `RuleIntermediaryForwardFields` JSON. */
export interface RuleIntermediaryForwardFields {
  /** Next route id. */
  next_rid: number;
  /** Next transport id, dashed UUID text. */
  next_tid: string;
}

/**
 * Go's `RuleSummary` JSON, as the visor RPC and hypervisor API show rules. Exactly one of the
 * `*_fields` members is present, chosen by `rule_type` (Go names the Consume one `app_fields`).
 * `keep_alive` is nanoseconds (Go `time.Duration`); as a JS number it is exact up to 2^53 ns
 * (about 104 days).
 */
export interface RuleSummary {
  /** Keep-alive in nanoseconds. */
  keep_alive: number;
  /** The {@linkcode RuleType} number. */
  rule_type: number;
  /** Key route id. */
  key_route_id: number;
  /** Consume rule fields. */
  app_fields?: { route_descriptor: RouteDescriptorFields };
  /** Forward rule fields. */
  forward_fields?: RuleForwardFields;
  /** IntermediaryForward rule fields. */
  intermediary_forward_fields?: RuleIntermediaryForwardFields;
}

/** The Go `RuleSummary` JSON of a rule (member order as Go writes it). */
export function ruleSummary(rule: Rule): RuleSummary {
  const summary: RuleSummary = {
    keep_alive: Number(rule.keepAliveNs),
    rule_type: rule.type,
    key_route_id: rule.keyRouteId,
  };
  switch (rule.type) {
    case RuleType.Consume:
      summary.app_fields = { route_descriptor: rule.routeDescriptor.fields() };
      break;
    case RuleType.Forward:
      summary.forward_fields = {
        route_descriptor: rule.routeDescriptor.fields(),
        next_rid: rule.nextRouteId,
        next_tid: rule.nextTransportId,
      };
      break;
    default:
      summary.intermediary_forward_fields = {
        next_rid: rule.nextRouteId,
        next_tid: rule.nextTransportId,
      };
  }
  return summary;
}

/**
 * Build a rule from its summary (Go `RuleSummary.ToRule`): exactly the member for its type must
 * be present. Throws {@linkcode InvalidRuleError} for anything malformed, including bad keys.
 */
export function ruleFromSummary(summary: RuleSummary): Rule {
  try {
    return build(summary);
  } catch (error) {
    if (error instanceof InvalidRuleError) throw error;
    if (error instanceof RoutingError || error instanceof CipherError) {
      throw new InvalidRuleError(`invalid routing rule summary: ${error.message}`);
    }
    throw error;
  }
}

function build(summary: RuleSummary): Rule {
  if (typeof summary !== "object" || summary === null) throw invalid();
  const { app_fields: app, forward_fields: fwd, intermediary_forward_fields: inter } = summary;
  const present = [app, fwd, inter].filter((f) => f !== undefined && f !== null).length;
  if (typeof summary.keep_alive !== "number" || !Number.isSafeInteger(summary.keep_alive)) {
    throw invalid();
  }
  const header = { keepAliveNs: BigInt(summary.keep_alive), keyRouteId: summary.key_route_id };
  if (present !== 1) throw invalid();
  if (summary.rule_type === RuleType.Consume && app) {
    return Rule.consume({ ...header, descriptor: descriptor(app.route_descriptor) });
  }
  if (summary.rule_type === RuleType.Forward && fwd) {
    return Rule.forward({
      ...header,
      descriptor: descriptor(fwd.route_descriptor),
      nextRouteId: fwd.next_rid,
      nextTransportId: fwd.next_tid,
    });
  }
  if (summary.rule_type === RuleType.IntermediaryForward && inter) {
    return Rule.intermediaryForward({
      ...header,
      nextRouteId: inter.next_rid,
      nextTransportId: inter.next_tid,
    });
  }
  throw invalid();
}

function descriptor(fields: RouteDescriptorFields): RouteDescriptor {
  if (typeof fields !== "object" || fields === null) throw invalid();
  return RouteDescriptor.create({
    srcPk: PubKey.fromHex(String(fields.src_pk)),
    dstPk: PubKey.fromHex(String(fields.dst_pk)),
    srcPort: fields.src_port,
    dstPort: fields.dst_port,
  });
}

function invalid(): InvalidRuleError {
  return new InvalidRuleError("invalid routing rule summary");
}
