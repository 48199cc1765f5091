import { join } from "node:path";
import { createLogger, parseLogLevel } from "../../mod/log/mod.ts";
import { splitHostPort, startDiscovery } from "../dmsg_discovery/mod.ts";
import { stopOnSignals } from "../visor/mod.ts";
import { type Command, UsageError } from "./command.ts";

/** `skywire dmsg discovery`: run a dmsg discovery until SIGINT/SIGTERM. */
export const discoveryCommand: Command = {
  name: "discovery",
  summary: "run a dmsg discovery",
  description: "Serves Go's dmsg-discovery HTTP API; entries are kept in DIR/dmsg-discovery.kv.\n" +
    "Prints the URL on stdout, logs on stderr, stops cleanly on SIGINT or SIGTERM.",
  flags: [
    {
      name: "addr",
      short: "a",
      type: "string",
      valueName: "ADDR",
      description: "address to listen on, host:port (':9090' is every interface)",
      default: ":9090",
    },
    {
      name: "test-mode",
      short: "t",
      type: "boolean",
      description: "test mode: accept server entries with loopback addresses",
    },
    {
      name: "data",
      type: "string",
      valueName: "DIR",
      description: "directory for the entry store",
      default: "dmsg-discovery",
    },
    {
      name: "log-level",
      type: "string",
      valueName: "LEVEL",
      description: "trace, debug, info, warn or error",
      default: "info",
    },
  ],
  run: async ({ flags, out }) => {
    const level = parseLogLevel(String(flags["log-level"]));
    if (!level) throw new UsageError(`unknown log level "${flags["log-level"]}"`);
    const addr = String(flags.addr);
    const split = splitHostPort(addr);
    if (!split || !/^\d+$/.test(split.port) || Number(split.port) > 65535) {
      throw new UsageError(`invalid --addr "${addr}" (want host:port)`);
    }
    const logger = createLogger({ level, component: "dmsg_discovery" });
    // Listen for signals before printing the URL, which tells callers we are up.
    using stop = stopOnSignals();
    const service = await startDiscovery({
      addr,
      storePath: join(String(flags.data), "dmsg-discovery.kv"),
      testMode: flags["test-mode"] === true,
      logger,
    });
    out(service.url);
    const signal = await stop.received;
    logger.info("shutting down", { signal });
    await service.close();
    return 0;
  },
};
