/**
 * `skywire cli visor ping PK`: a loop route from the visor out to PK and back, and the time
 * one message takes around it (Go skywire-cli's `visor ping`: `-t` tries, `-s` size in KB,
 * the same `Latency: … ms | Speed: … KB/s` lines), plus `--min-hops` for each half of the loop.
 *
 * @module
 */
import {
  type Command,
  defineCommand,
  integerValue,
  jsonFlag,
  valueFlag,
} from "../../mod/cli/mod.ts";
import type { PingReport } from "./api_types.ts";
import { pkArg, rpcFlag } from "./_cli.ts";

/** Go's per-try line: latency and the size over that time. */
export function pingLines(report: PingReport): string {
  return report.latencies_ms.map((ms) =>
    `Latency: ${ms.toFixed(2)} ms | Speed: ${(report.size_kb / (ms / 1000)).toFixed(3)} KB/s`
  ).join("\n");
}

/** `skywire cli visor ping`. */
export const visorPingCommand: Command = defineCommand({
  name: "ping",
  summary: "ping the visor with given pk",
  usage: "[flags] PK",
  description: "Creates a route with the provided pk as a hop (out to it and back to this\n" +
    "visor) and returns the latency of each try over it.",
  args: { min: 1, max: 1 },
  flags: {
    tries: valueFlag({
      short: "t",
      valueName: "N",
      description: "number of tries",
      parse: integerValue(1, 100),
      default: 1,
    }),
    size: valueFlag({
      short: "s",
      valueName: "KB",
      description: "size of packet, in KB",
      parse: integerValue(1, 1024),
      default: 2,
    }),
    "min-hops": valueFlag({
      valueName: "N",
      description: "fewest hops each way (default: the visor's routing.min_hops)",
      parse: integerValue(0, 16),
    }),
    rpc: rpcFlag(),
    json: jsonFlag(),
  },
  run: async ({ args, flags, out }) => {
    const report = await flags.rpc.routes.ping({
      pk: pkArg(args[0], "PK"),
      tries: flags.tries,
      size_kb: flags.size,
      min_hops: flags["min-hops"],
    });
    out(flags.json ? JSON.stringify(report) : pingLines(report));
  },
});
