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
  logLevelFlag,
  stringFlag,
  UsageError,
} from "../../mod/cli/mod.ts";
import { stopOnSignals } from "../../mod/lifecycle/mod.ts";
import { createLogger } from "../../mod/log/mod.ts";
import { parseListenAddress } from "../../mod/netutil/mod.ts";
import { startDiscovery } from "./mod.ts";

/** `skywire dmsg discovery`: run a dmsg discovery until SIGINT/SIGTERM. */
export const discoveryCommand: Command = defineCommand({
  name: "discovery",
  summary: "run a dmsg discovery",
  description: "Serves Go's dmsg-discovery HTTP API; entries are kept in DIR/dmsg-discovery.kv.\n" +
    "Prints the URL on stdout, logs on stderr, stops cleanly on SIGINT or SIGTERM.",
  flags: {
    addr: stringFlag({
      short: "a",
      valueName: "ADDR",
      description: "address to listen on, host:port (':9090' is every interface)",
      default: ":9090",
    }),
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
  run: async ({ flags, out }) => {
    const { addr } = flags;
    try {
      parseListenAddress(addr);
    } catch {
      throw new UsageError(`invalid --addr "${addr}" (want host:port)`);
    }
    const logger = createLogger({ level: flags["log-level"], component: "dmsg_discovery" });
    // Listen for signals before printing the URL, which tells callers we are up.
    using stop = stopOnSignals();
    const service = await startDiscovery({
      addr,
      storePath: join(flags.data, "dmsg-discovery.kv"),
      testMode: flags["test-mode"],
      logger,
    });
    out(service.url);
    const signal = await stop.received;
    logger.info("shutting down", { signal });
    await service.close();
    return 0;
  },
});
