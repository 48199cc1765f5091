/**
 * `skywire cli visor ...`: ask a running visor through its control endpoint (`cli_addr`),
 * with Go skywire-cli's command names: `info`, `pk`, the transport commands under `tp`, the
 * routing rules under `route`, `ping`, the apps under `app` and the proxy client under `proxy`;
 * plus `hv password` and `hv cert`, which work on the visor's files.
 *
 * @module
 */
import { type Command, defineCommand, jsonFlag } from "../../mod/cli/mod.ts";
import type { VisorSummary } from "./api_types.ts";
import { rpcFlag } from "./_cli.ts";
import { visorAppCommand, visorProxyCommand } from "./app_commands.ts";
import { hvCertCommand } from "./hv_cert_command.ts";
import { hvPasswordCommand } from "./hv_password_command.ts";
import { visorPingCommand } from "./ping_command.ts";
import { visorRouteCommand } from "./route_commands.ts";
import { visorTpCommand } from "./tp_commands.ts";

/** `visor info` as text, Go's "Visor Summary" layout with what this visor reports. */
export function visorSummaryText(summary: VisorSummary): string {
  const session = summary.dmsg_sessions[0];
  const ping = session?.latency_ms != null ? `${session.latency_ms.toFixed(3)}ms` : "";
  const stcpr = summary.stcpr_address
    ? `${summary.stcpr_address} (${summary.stcpr_bound ? "bound" : "not bound"} at the resolver)`
    : "off";
  return [
    ".:: Visor Summary ::.",
    `Public key: "${summary.public_key}"`,
    `DMSG Server: "${session?.server_pk ?? ""}"`,
    `Ping: "${ping}"`,
    `Visor Version: ${summary.visor_version}`,
    `Time Online: ${summary.time_online.toFixed(3)} seconds`,
    `DMSG Discovery: ${summary.dmsg_discovery}`,
    `Transport Discovery: ${summary.transport_discovery || "none"}`,
    `Address Resolver: ${summary.address_resolver || "none"}`,
    `STCPR: ${stcpr}`,
    `Transport Types: ${summary.transport_types.join(", ")}`,
    `Transports: ${summary.transports}`,
    `Persistent Transports: ${summary.persistent_transports.length}`,
  ].join("\n");
}

const infoCommand: Command = defineCommand({
  name: "info",
  summary: "summary of the visor",
  flags: { rpc: rpcFlag(), json: jsonFlag() },
  run: async ({ flags, out }) => {
    const summary = await flags.rpc.summary();
    out(flags.json ? JSON.stringify(summary) : visorSummaryText(summary));
  },
});

const pkCommand: Command = defineCommand({
  name: "pk",
  summary: "public key of the visor",
  flags: { rpc: rpcFlag(), json: jsonFlag() },
  run: async ({ flags, out }) => {
    const pk = (await flags.rpc.summary()).public_key;
    out(flags.json ? JSON.stringify({ pk }) : pk);
  },
});

/** `skywire cli visor`: a running visor, through its control endpoint. */
export const cliVisorCommand: Command = {
  name: "visor",
  summary: "ask a running visor (its control endpoint on cli_addr)",
  description: "The visor answers on its cli_addr (default localhost:3435, loopback only);\n" +
    "--rpc ADDR picks another one, e.g. the address 'skywire up' prints.",
  subcommands: [
    infoCommand,
    pkCommand,
    visorTpCommand,
    visorRouteCommand,
    visorPingCommand,
    visorAppCommand,
    visorProxyCommand,
    {
      name: "hv",
      summary: "the visor's web UI (hypervisor)",
      subcommands: [hvPasswordCommand, hvCertCommand],
    },
  ],
};
