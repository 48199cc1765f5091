/**
 * `skywire cli visor route ...`: a running visor's routing table, with Go skywire-cli's names
 * and table (`ls-rules`, `rule`, `rm-rule`, `add-rule app|fwd|intfwd`), plus `ls-rg` for the
 * route groups (Go shows those only in its hypervisor API, `/routegroups`). `--json` prints
 * the API's JSON (Go's `RuleSummary`) on one line.
 *
 * @module
 */
import { PubKey } from "../../mod/cipher/mod.ts";
import { formatDuration } from "../../mod/config/mod.ts";
import {
  type Command,
  defineCommand,
  durationValue,
  jsonFlag,
  UsageError,
  valueFlag,
} from "../../mod/cli/mod.ts";
import { ROUTE_KEEP_ALIVE_MS } from "../../mod/router/mod.ts";
import { RouteDescriptor, Rule, type RuleSummary, ruleSummary } from "../../mod/routing/mod.ts";
import { parseTransportId } from "../../mod/transport/mod.ts";
import type { RouteGroupSummary } from "./api_types.ts";
import { rpcFlag, table } from "./_cli.ts";

const TYPE_NAMES = ["Consume", "Forward", "IntermediaryForward"];

function uint(text: string, what: string, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > max) throw new UsageError(`failed to parse <${what}>: "${text}"`);
  return n;
}

function pk(text: string, what: string): PubKey {
  try {
    return PubKey.fromHex(text);
  } catch (error) {
    throw new UsageError(`failed to parse <${what}>: ${(error as Error).message}`);
  }
}

function tpId(text: string, what: string): string {
  try {
    return parseTransportId(text);
  } catch {
    throw new UsageError(`failed to parse <${what}>: "${text}" is not a UUID`);
  }
}

/**
 * Rules as Go's `printRoutingRules` shows them: `id type local-port remote-port remote-pk
 * next-route-id next-transport-id expire-at`, "-" where a type has no such field. (Go prints
 * a forwarding rule's next route id in the id column; we print its key route id.)
 */
export function rulesTable(rules: RuleSummary[]): string {
  const rows = rules.map((s) => {
    const keepAlive = formatDuration(s.keep_alive / 1e6);
    const type = TYPE_NAMES[s.rule_type] ?? `Unknown(${s.rule_type})`;
    const id = String(s.key_route_id);
    const app = s.app_fields?.route_descriptor;
    if (app) {
      return [id, type, `${app.src_port}`, `${app.dst_port}`, app.dst_pk, "-", "-", keepAlive];
    }
    const fwd = s.forward_fields;
    if (fwd) {
      const d = fwd.route_descriptor;
      return [
        id,
        type,
        `${d.src_port}`,
        `${d.dst_port}`,
        d.dst_pk,
        `${fwd.next_rid}`,
        fwd.next_tid,
        keepAlive,
      ];
    }
    const inter = s.intermediary_forward_fields!;
    return [id, type, "-", "-", "-", `${inter.next_rid}`, inter.next_tid, keepAlive];
  });
  return table([
    [
      "id",
      "type",
      "local-port",
      "remote-port",
      "remote-pk",
      "next-route-id",
      "next-transport-id",
      "expire-at",
    ],
    ...rows,
  ]);
}

/** Route groups as rows: ends, rule ids, transport, state, latency. */
export function groupsTable(groups: RouteGroupSummary[]): string {
  return table([
    [
      "local-port",
      "remote-pk",
      "remote-port",
      "fwd-id",
      "consume-id",
      "transport-id",
      "state",
      "latency",
    ],
    ...groups.map((g) => [
      `${g.local_port}`,
      g.remote_pk,
      `${g.remote_port}`,
      `${g.forward_route_id}`,
      `${g.consume_route_id}`,
      g.transport_id,
      g.state,
      g.latency_ms === null ? "-" : `${g.latency_ms}ms`,
    ]),
  ]);
}

const lsRules: Command = defineCommand({
  name: "ls-rules",
  summary: "list routing rules",
  flags: { rpc: rpcFlag(), json: jsonFlag() },
  run: async ({ flags, out }) => {
    const rules = await flags.rpc.routes.rules();
    out(flags.json ? JSON.stringify(rules) : rulesTable(rules));
  },
});

const ruleCmd: Command = defineCommand({
  name: "rule",
  summary: "return routing rule by route ID key",
  usage: "[flags] ROUTE-ID",
  args: { min: 1, max: 1 },
  flags: { rpc: rpcFlag(), json: jsonFlag() },
  run: async ({ args, flags, out }) => {
    const rule = await flags.rpc.routes.rule(uint(args[0], "route-id", 0xffff_ffff));
    out(flags.json ? JSON.stringify(rule) : rulesTable([rule]));
  },
});

const rmRule: Command = defineCommand({
  name: "rm-rule",
  summary: "remove routing rule (a consume rule closes its route group)",
  usage: "[flags] ROUTE-ID",
  args: { min: 1, max: 1 },
  flags: { rpc: rpcFlag(), json: jsonFlag() },
  run: async ({ args, flags, out }) => {
    await flags.rpc.routes.removeRule(uint(args[0], "route-id", 0xffff_ffff));
    out(flags.json ? JSON.stringify({ removed: 1 }) : "OK");
  },
});

function keepAliveFlag() {
  return valueFlag({
    valueName: "DURATION",
    description: "timeout for rule expiration",
    parse: durationValue,
    default: ROUTE_KEEP_ALIVE_MS,
    defaultText: formatDuration(ROUTE_KEEP_ALIVE_MS),
  });
}

function addRuleCommand(
  name: string,
  summary: string,
  names: string[],
  build: (args: string[], keepAliveMs: number) => Rule,
): Command {
  return defineCommand({
    name,
    summary,
    usage: `[flags] ${names.map((n) => n.toUpperCase()).join(" ")}`,
    args: { min: names.length, max: names.length },
    flags: { "keep-alive": keepAliveFlag(), rpc: rpcFlag(), json: jsonFlag() },
    run: async ({ args, flags, out }) => {
      const key = await flags.rpc.routes.addRule(ruleSummary(build(args, flags["keep-alive"])));
      out(flags.json ? JSON.stringify({ routing_route_key: key }) : `Routing Rule Key: ${key}`);
    },
  });
}

const addRule: Command = {
  name: "add-rule",
  summary: "add routing rule",
  subcommands: [
    addRuleCommand(
      "app",
      "add app/consume routing rule",
      ["route-id", "local-pk", "local-port", "remote-pk", "remote-port"],
      (a, keepAliveMs) =>
        Rule.consume({
          keepAliveMs,
          keyRouteId: uint(a[0], "route-id", 0xffff_ffff),
          descriptor: descriptor(a[1], a[2], a[3], a[4]),
        }),
    ),
    addRuleCommand(
      "fwd",
      "add forward routing rule",
      [
        "route-id",
        "next-route-id",
        "next-transport-id",
        "local-pk",
        "local-port",
        "remote-pk",
        "remote-port",
      ],
      (a, keepAliveMs) =>
        Rule.forward({
          keepAliveMs,
          keyRouteId: uint(a[0], "route-id", 0xffff_ffff),
          nextRouteId: uint(a[1], "next-route-id", 0xffff_ffff),
          nextTransportId: tpId(a[2], "next-transport-id"),
          descriptor: descriptor(a[3], a[4], a[5], a[6]),
        }),
    ),
    addRuleCommand(
      "intfwd",
      "add intermediary forward routing rule",
      ["route-id", "next-route-id", "next-transport-id"],
      (a, keepAliveMs) =>
        Rule.intermediaryForward({
          keepAliveMs,
          keyRouteId: uint(a[0], "route-id", 0xffff_ffff),
          nextRouteId: uint(a[1], "next-route-id", 0xffff_ffff),
          nextTransportId: tpId(a[2], "next-transport-id"),
        }),
    ),
  ],
};

// A rule's descriptor from the local and remote ends, as Go's `ConsumeRule`/`ForwardRule`.
function descriptor(localPk: string, localPort: string, remotePk: string, remotePort: string) {
  return RouteDescriptor.create({
    srcPk: pk(localPk, "local-pk"),
    srcPort: uint(localPort, "local-port", 0xffff),
    dstPk: pk(remotePk, "remote-pk"),
    dstPort: uint(remotePort, "remote-port", 0xffff),
  });
}

const lsRouteGroups: Command = defineCommand({
  name: "ls-rg",
  summary: "list route groups (Go's API /routegroups)",
  flags: { rpc: rpcFlag(), json: jsonFlag() },
  run: async ({ flags, out }) => {
    const groups = await flags.rpc.routes.groups();
    out(flags.json ? JSON.stringify(groups) : groupsTable(groups));
  },
});

/** `skywire cli visor route`: the visor's routing rules and route groups. */
export const visorRouteCommand: Command = {
  name: "route",
  summary: "view and set rules",
  description: "Routing rules (consume, forward, intermediary forward) of the visor at --rpc,\n" +
    "and its route groups.",
  subcommands: [lsRules, ruleCmd, rmRule, addRule, lsRouteGroups],
};
