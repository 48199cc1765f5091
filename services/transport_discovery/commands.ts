/**
 * `skywire svc tpd`: run the transport discovery until SIGINT/SIGTERM (Go's `skywire svc tpd`,
 * formerly the `transport-discovery` binary; flag names as Go's where they exist).
 *
 * @module
 */
import { join } from "node:path";
import {
  booleanFlag,
  type Command,
  dataDirFlag,
  defineCommand,
  entryTimeoutFlag,
  listenAddrFlag,
  logLevelFlag,
} from "../../mod/cli/mod.ts";
import { serveUntilStopped } from "../../mod/lifecycle/mod.ts";
import { startTransportDiscovery } from "./mod.ts";

/** `skywire svc tpd`. */
export const transportDiscoveryCommand: Command = defineCommand({
  name: "tpd",
  summary: "run a transport discovery",
  description: "Serves Go's transport-discovery HTTP API: visors register the transports they\n" +
    "settle, look them up and delete them. Entries and nonces are kept in\n" +
    "DIR/transport-discovery.kv. Prints the URL on stdout, logs on stderr, stops cleanly on\n" +
    "SIGINT or SIGTERM.",
  flags: {
    addr: listenAddrFlag({ default: ":9091" }),
    testing: booleanFlag({
      short: "t",
      description: "test mode: entries do not expire unless --entry-timeout is given",
    }),
    "entry-timeout": entryTimeoutFlag({
      record: "an entry",
      refresh: "a re-registration",
      removed: "deleted",
    }),
    data: dataDirFlag({ default: "transport-discovery" }),
    "log-level": logLevelFlag({ default: "info" }),
  },
  run: ({ flags, out }) =>
    serveUntilStopped(
      { component: "transport_discovery", level: flags["log-level"], out },
      (logger) =>
        startTransportDiscovery({
          addr: flags.addr,
          storePath: join(flags.data, "transport-discovery.kv"),
          testMode: flags.testing,
          entryTtlMs: flags["entry-timeout"],
          logger,
        }),
    ),
});
