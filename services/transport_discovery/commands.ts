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
  defineCommand,
  durationValue,
  listenAddrFlag,
  logLevelFlag,
  stringFlag,
  valueFlag,
} from "../../mod/cli/mod.ts";
import { serveUntilStopped } from "../../mod/lifecycle/mod.ts";
import { createLogger } from "../../mod/log/mod.ts";
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
    "entry-timeout": valueFlag({
      valueName: "DURATION",
      description: "how long an entry lives without a re-registration (0: until deleted; " +
        "default 5m, or 0 with --testing)",
      parse: durationValue,
    }),
    data: stringFlag({
      valueName: "DIR",
      description: "directory for the store",
      default: "transport-discovery",
    }),
    "log-level": logLevelFlag({ default: "info" }),
  },
  run: ({ flags, out }) => {
    const logger = createLogger({ level: flags["log-level"], component: "transport_discovery" });
    return serveUntilStopped(
      () =>
        startTransportDiscovery({
          addr: flags.addr,
          storePath: join(flags.data, "transport-discovery.kv"),
          testMode: flags.testing,
          entryTtlMs: flags["entry-timeout"],
          logger,
        }),
      out,
      logger,
    );
  },
});
