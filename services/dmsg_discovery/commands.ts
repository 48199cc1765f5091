/**
 * `skywire dmsg discovery`, for `services/cli` to compose.
 *
 * @module
 */
import { join } from "node:path";
import {
  booleanFlag,
  type Command,
  defineCommand,
  listenAddrFlag,
  logLevelFlag,
  stringFlag,
} from "../../mod/cli/mod.ts";
import { serveUntilStopped } from "../../mod/lifecycle/mod.ts";
import { createLogger } from "../../mod/log/mod.ts";
import { startDiscovery } from "./mod.ts";

/** `skywire dmsg discovery`: run a dmsg discovery until SIGINT/SIGTERM. */
export const discoveryCommand: Command = defineCommand({
  name: "discovery",
  summary: "run a dmsg discovery",
  description: "Serves Go's dmsg-discovery HTTP API; entries are kept in DIR/dmsg-discovery.kv.\n" +
    "Prints the URL on stdout, logs on stderr, stops cleanly on SIGINT or SIGTERM.",
  flags: {
    addr: listenAddrFlag({ default: ":9090" }),
    "test-mode": booleanFlag({
      short: "t",
      description: "test mode: accept server entries with loopback addresses",
    }),
    data: stringFlag({
      valueName: "DIR",
      description: "directory for the entry store",
      default: "dmsg-discovery",
    }),
    "log-level": logLevelFlag({ default: "info" }),
  },
  run: ({ flags, out }) => {
    const { addr } = flags;
    const logger = createLogger({ level: flags["log-level"], component: "dmsg_discovery" });
    return serveUntilStopped(
      () =>
        startDiscovery({
          addr,
          storePath: join(flags.data, "dmsg-discovery.kv"),
          testMode: flags["test-mode"],
          logger,
        }),
      out,
      logger,
    );
  },
});
