import { bytesToHex } from "../../mod/cipher/mod.ts";
import { ruleFromSummary } from "../../mod/routing/mod.ts";
import type { RouteGroupSummary, RuleSummary } from "../../services/visor/api.ts";

/** A rule as Go's hypervisor answers it: key route id, the rule's bytes in hex, its summary. */
export interface RoutingRuleJson {
  key: number;
  rule: string;
  rule_summary?: RuleSummary;
}

/** Go's `routingRuleResp` of a rule; `rule_summary` only when asked for, as in Go. */
export function routingRuleJson(summary: RuleSummary, withSummary: boolean): RoutingRuleJson {
  const json: RoutingRuleJson = {
    key: summary.key_route_id,
    rule: bytesToHex(ruleFromSummary(summary).bytes),
  };
  if (withSummary) json.rule_summary = summary;
  return json;
}

/**
 * Go's `routeGroupResp` of a group: the Consume rule's fields (`route_descriptor`) with the
 * Forward rule's fields under `resp`. `undefined` while either rule is missing (a group being
 * torn down), which Go would answer as a zero-valued entry.
 */
export function routeGroupJson(group: RouteGroupSummary, rules: Map<number, RuleSummary>) {
  const consume = rules.get(group.consume_route_id)?.app_fields;
  const forward = rules.get(group.forward_route_id)?.forward_fields;
  if (!consume || !forward) return undefined;
  return { route_descriptor: consume.route_descriptor, resp: forward };
}

/** Go's `/routegroups` list: {@linkcode routeGroupJson} of each group whose rules are in place. */
export function routeGroupsJson(rules: RuleSummary[], groups: RouteGroupSummary[]) {
  const byId = new Map(rules.map((r) => [r.key_route_id, r]));
  return groups.flatMap((g) => routeGroupJson(g, byId) ?? []);
}

/** Go's `httputil.BoolFromQuery`: absent gives the default; `undefined` when it does not parse. */
export function boolQuery(value: string | undefined, fallback: boolean): boolean | undefined {
  if (value === undefined) return fallback;
  if (["1", "t", "T", "true", "TRUE", "True"].includes(value)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(value)) return false;
  return undefined;
}
