import { createLogger, parseLogLevel } from "../../mod/log/mod.ts";
import {
  type DmsgServerConfig,
  DmsgServerConfigError,
  generateServerConfig,
  parsePeer,
  parseServerConfig,
  serverConfigToJson,
  serverOptionsFromConfig,
  splitListenAddress,
  startDmsgServer,
} from "../dmsg_server/mod.ts";
import { serveServerHealth, stopOnSignals } from "../visor/mod.ts";
import { type Command, type CommandContext, UsageError } from "./command.ts";

// Shutdown must finish within 2 s of a signal; past this the process exits anyway.
const SHUTDOWN_LIMIT_MS = 1_800;

async function loadConfig(path: string | undefined): Promise<DmsgServerConfig> {
  if (!path) return generateServerConfig();
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new UsageError(`cannot read config "${path}": ${(error as Error).message}`);
  }
  try {
    return parseServerConfig(text);
  } catch (error) {
    if (error instanceof DmsgServerConfigError) {
      throw new UsageError(`config "${path}": ${error.message}`);
    }
    throw error;
  }
}

function applyFlags(
  config: DmsgServerConfig,
  flags: CommandContext["flags"],
): void {
  const text = (name: string) =>
    typeof flags[name] === "string" ? flags[name] as string : undefined;
  const addr = text("addr");
  if (addr !== undefined) {
    try {
      splitListenAddress(addr);
    } catch {
      throw new UsageError(`invalid --addr "${addr}" (want host:port)`);
    }
    config.local_address = addr;
  }
  const publicAddress = text("public-address");
  if (publicAddress !== undefined) config.public_address = publicAddress;
  const discovery = text("discovery");
  if (discovery !== undefined) config.discovery = discovery;
  const max = text("max-sessions");
  if (max !== undefined) {
    if (!/^\d+$/.test(max) || Number(max) <= 0) {
      throw new UsageError(`--max-sessions wants a positive integer, got "${max}"`);
    }
    config.max_sessions = Number(max);
  }
  const peers = text("peers");
  if (peers !== undefined) {
    config.peers = peers.split(",").map((s) => s.trim()).filter(Boolean).map((spec) => {
      try {
        const peer = parsePeer(spec);
        return { public_key: peer.pk.hex(), address: peer.address };
      } catch (error) {
        throw new UsageError(`--peers: ${(error as Error).message}`);
      }
    });
  }
  const level = text("log-level");
  if (level !== undefined) {
    if (!parseLogLevel(level)) throw new UsageError(`unknown log level "${level}"`);
    config.log_level = level;
  }
}

const startCommand: Command = {
  name: "start",
  summary: "run a dmsg server",
  usage: "[flags] [CONFIG]",
  description: "Serves dmsg sessions and relays streams; the config uses Go dmsg-server's field\n" +
    "names (see 'config gen'). Flags override the config. Without a config a fresh key pair\n" +
    "is used. Prints the public key and address on stdout, logs on stderr, stops cleanly on\n" +
    "SIGINT or SIGTERM.",
  args: { min: 0, max: 1 },
  flags: [
    { name: "config", short: "c", type: "string", valueName: "FILE", description: "config file" },
    {
      name: "addr",
      type: "string",
      valueName: "ADDR",
      description: "TCP address to listen on, host:port (overrides local_address)",
    },
    {
      name: "public-address",
      type: "string",
      valueName: "ADDR",
      description: "address published in the discovery (overrides public_address)",
    },
    { name: "discovery", type: "string", valueName: "URL", description: "dmsg discovery URL" },
    {
      name: "max-sessions",
      type: "string",
      valueName: "N",
      description: "client sessions accepted at once",
    },
    {
      name: "peers",
      type: "string",
      valueName: "PK@ADDR,...",
      description: "peer servers of the mesh",
    },
    { name: "log-level", type: "string", valueName: "LEVEL", description: "log level" },
  ],
  run: async ({ args, flags, out }) => {
    const path = typeof flags.config === "string" ? flags.config : args[0];
    const config = await loadConfig(path);
    applyFlags(config, flags);
    const level = parseLogLevel(config.log_level) ?? "info";
    const logger = createLogger({ level, component: "dmsg_server" });
    if (!path) logger.warn("no config given: using a fresh key pair for this run");
    // Listen for signals before printing the address, which tells callers we are up.
    using stop = stopOnSignals();
    const server = await startDmsgServer({ ...serverOptionsFromConfig(config), logger });
    // Every dmsg server answers /health on dmsg port 80 of its own key.
    const health = serveServerHealth(server, { logger: logger.child("health") });
    out(`${server.pk.hex()} ${server.address}`);
    const signal = await stop.received;
    logger.info("shutting down", { signal });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<void>((resolve) => timer = setTimeout(resolve, SHUTDOWN_LIMIT_MS));
    const shutdown = async () => {
      await health.shutdown();
      await server.close({ deleteEntry: true });
    };
    await Promise.race([shutdown(), limit]);
    clearTimeout(timer);
    return 0;
  },
};

const configGenCommand: Command = {
  name: "gen",
  summary: "generate a dmsg server config with a fresh key pair",
  usage: "[flags]",
  description: "Writes Go dmsg-server's config fields plus 'peers' (mode 0600); without -o the\n" +
    "config is printed.",
  flags: [
    { name: "output", short: "o", type: "string", valueName: "FILE", description: "file to write" },
  ],
  run: async ({ flags, out }) => {
    const text = serverConfigToJson(generateServerConfig());
    if (typeof flags.output !== "string") {
      out(text.trimEnd());
      return 0;
    }
    const path = flags.output;
    const tmp = `${path}.tmp-${crypto.randomUUID()}`;
    try {
      await Deno.writeTextFile(tmp, text, { mode: 0o600 });
      await Deno.chmod(tmp, 0o600);
      await Deno.rename(tmp, path);
    } catch (error) {
      await Deno.remove(tmp).catch(() => {});
      throw error;
    }
    out(`wrote ${path}`);
    return 0;
  },
};

/** `skywire dmsg server`: run a dmsg server, generate its config. */
export const dmsgServerCommand: Command = {
  name: "server",
  summary: "run a dmsg server",
  subcommands: [
    startCommand,
    { name: "config", summary: "dmsg server config files", subcommands: [configGenCommand] },
  ],
};
