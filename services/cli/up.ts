import { createLogger, parseLogLevel } from "../../mod/log/mod.ts";
import {
  DEFAULT_DISCOVERY_PORT,
  DEFAULT_DMSG_SERVER_PORT,
  DEFAULT_UP_DATA_DIR,
  startUp,
  type UpInfo,
} from "../up/mod.ts";
import { stopOnSignals } from "../visor/mod.ts";
import { type Command, UsageError } from "./command.ts";

// Everything must be closed within this after Ctrl-C; a stuck step is left to process exit.
const SHUTDOWN_BUDGET_MS = 2_000;

function portFlag(value: unknown, name: string): number {
  const text = String(value);
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port > 65535) {
    throw new UsageError(`--${name} wants a port number, got "${text}"`);
  }
  return port;
}

/** The text `skywire up` prints once the network is up. */
export function upSummary(info: UpInfo): string {
  return [
    "skywire up: a private dmsg network on this machine",
    "",
    `  discovery    ${info.discovery}`,
    `  dmsg server  ${info.dmsg_server.pk}  (tcp ${info.dmsg_server.address})`,
    `  visor        ${info.visor.pk}`,
    `  data         ${info.data_dir}`,
    "",
    `Try it from another terminal${info.try_dir ? ` in ${info.try_dir}` : ""}` +
    " (the visor answers /health on dmsg port 80):",
    `  ${info.try}`,
    "",
    "Stop with Ctrl-C.",
  ].join("\n");
}

/** `skywire up`: discovery, dmsg server and visor on loopback until Ctrl-C. */
export const upCommand: Command = {
  name: "up",
  summary: "run a whole private network on loopback (discovery, dmsg server, visor)",
  description: "Needs no config and no network. Keys and state are kept in the data directory,\n" +
    `so public keys stay the same across restarts. Ports default to ${DEFAULT_DISCOVERY_PORT}` +
    ` (discovery) and ${DEFAULT_DMSG_SERVER_PORT}\n` +
    "(dmsg server); a taken port falls back to a free one. Prints the keys, the addresses and\n" +
    "a command to try; logs go to stderr. Ctrl-C stops everything within 2 s.",
  flags: [
    {
      name: "data",
      type: "string",
      valueName: "DIR",
      description: "state directory",
      default: DEFAULT_UP_DATA_DIR,
    },
    {
      name: "json",
      type: "boolean",
      description: "print the addresses as one line of JSON (for scripts)",
    },
    {
      name: "discovery-port",
      type: "string",
      valueName: "PORT",
      description: "discovery port (0: any free port)",
      default: String(DEFAULT_DISCOVERY_PORT),
    },
    {
      name: "server-port",
      type: "string",
      valueName: "PORT",
      description: "dmsg server port (0: any free port)",
      default: String(DEFAULT_DMSG_SERVER_PORT),
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
    const discoveryPort = portFlag(flags["discovery-port"], "discovery-port");
    const serverPort = portFlag(flags["server-port"], "server-port");
    const logger = createLogger({ level, component: "up" });
    using stop = stopOnSignals();
    let network;
    try {
      network = await startUp({
        dataDir: String(flags.data),
        discoveryPort,
        serverPort,
        logger,
        signal: stop.signal,
      });
    } catch (error) {
      // Ctrl-C while starting: everything started so far is closed; that is a clean stop.
      if (stop.signal.aborted) return 0;
      throw error;
    }
    out(flags.json ? JSON.stringify(network.info) : upSummary(network.info));
    if (!stop.signal.aborted) {
      await new Promise((resolve) =>
        stop.signal.addEventListener("abort", resolve, { once: true })
      );
    }
    logger.info("shutting down", { reason: String(stop.signal.reason?.message ?? "") });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const closed = await Promise.race([
      network.close().then(() => true),
      new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), SHUTDOWN_BUDGET_MS)),
    ]);
    clearTimeout(timer);
    if (!closed) {
      logger.error("shutdown did not finish within 2 s; exiting anyway");
      return 1;
    }
    logger.info("stopped");
    return 0;
  },
};
