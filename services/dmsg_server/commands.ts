/**
 * The dmsg server's commands, for `services/cli` to compose: `dmsg server start` and
 * `dmsg server config gen`.
 *
 * @module
 */
import {
  booleanFlag,
  type Command,
  configFlag,
  defineCommand,
  type Flag,
  type FlagValues,
  integerValue,
  logLevelFlag,
  stringFlag,
  urlValue,
  UsageError,
  valueFlag,
} from "../../mod/cli/mod.ts";
import { trimNativeHeapWhileRunning } from "../../mod/ffi/mod.ts";
import { ConfigError } from "../../mod/config/mod.ts";
import { startDmsgServer } from "../../mod/dmsg/mod.ts";
import { serveServerHealth } from "../../mod/dmsg_http/mod.ts";
import { closeWithin, stopOnSignals } from "../../mod/lifecycle/mod.ts";
import { createLogger, parseLogLevel } from "../../mod/log/mod.ts";
import {
  type DmsgServerConfig,
  generateServerConfig,
  isHostPort,
  type ParsedServerConfig,
  parsePeer,
  parseServerConfig,
  SERVER_LIMITS,
  serverConfigToJson,
  type ServerLimitField,
  serverOptionsFromConfig,
  withListenAddress,
} from "./config.ts";
import { serveRouteSetup } from "./route_setup.ts";

// Shutdown must finish within 2 s of a signal, with room to exit; past this it exits anyway.
const SHUTDOWN_LIMIT_MS = 1_800;

async function loadConfig(path: string | undefined): Promise<ParsedServerConfig> {
  if (!path) return { config: generateServerConfig(), warnings: [] };
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new UsageError(`cannot read config "${path}": ${(error as Error).message}`);
  }
  try {
    return parseServerConfig(text);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new UsageError(`config "${path}": ${error.message}`);
    }
    throw error;
  }
}

// Each limit's flag: the config field's name with dashes.
const LIMIT_FLAGS = {
  "max-sessions-per-ip": "max_sessions_per_ip",
  "max-handshakes": "max_handshakes",
  "max-handshakes-per-ip": "max_handshakes_per_ip",
  "max-streams-per-session": "max_streams_per_session",
  "max-relayed-streams": "max_relayed_streams",
  "max-pending-streams-per-session": "max_pending_streams_per_session",
  "max-pending-streams": "max_pending_streams",
  "max-buffered-bytes-per-session": "max_buffered_bytes_per_session",
} as const satisfies Record<string, ServerLimitField>;

const limitFlags = Object.fromEntries(
  Object.entries(LIMIT_FLAGS).map(([name, field]) => {
    const { description, value, min, max } = SERVER_LIMITS[field];
    return [
      name,
      valueFlag({
        valueName: "N",
        description: `${description}; default ${value} (overrides ${field})`,
        parse: integerValue(min, max),
      }),
    ];
  }),
) as Record<keyof typeof LIMIT_FLAGS, Flag<number | undefined>>;

const startFlags = {
  config: configFlag({ description: "config file" }),
  addr: stringFlag({
    valueName: "ADDR",
    description: "TCP address to listen on, host:port (overrides local_address)",
  }),
  "public-address": valueFlag({
    valueName: "ADDR",
    description:
      "address published in the discovery (overrides public_address; port 0: the port listened on)",
    parse: (text, flag) => {
      if (!isHostPort(text)) throw new UsageError(`${flag} wants host:port, got "${text}"`);
      return text;
    },
  }),
  discovery: valueFlag({ valueName: "URL", description: "dmsg discovery URL", parse: urlValue }),
  "max-sessions": valueFlag({
    valueName: "N",
    description: "client sessions accepted at once",
    parse: integerValue(1),
  }),
  ...limitFlags,
  "limit-loopback": booleanFlag({
    description:
      "cap 127.0.0.1 and ::1 per IP too (sets limit_loopback; off: local visors share them)",
  }),
  peers: stringFlag({ valueName: "PK@ADDR,...", description: "peer servers of the mesh" }),
  "enable-route-setup": booleanFlag({
    description: "also be a route setup node on dmsg port 36 (sets enable_route_setup)",
  }),
  "log-level": logLevelFlag({ description: "log level (default the config's log_level)" }),
};

function applyFlags(config: DmsgServerConfig, flags: FlagValues<typeof startFlags>): void {
  if (flags.addr !== undefined) {
    try {
      withListenAddress(config, flags.addr);
    } catch {
      throw new UsageError(`invalid --addr "${flags.addr}" (want host:port)`);
    }
  }
  if (flags["public-address"] !== undefined) config.public_address = flags["public-address"];
  if (flags.discovery !== undefined) config.discovery = flags.discovery;
  if (flags["max-sessions"] !== undefined) config.max_sessions = flags["max-sessions"];
  for (const [name, field] of Object.entries(LIMIT_FLAGS)) {
    const value = flags[name as keyof typeof LIMIT_FLAGS];
    if (value !== undefined) config[field] = value;
  }
  if (flags["limit-loopback"]) config.limit_loopback = true;
  if (flags.peers !== undefined) {
    config.peers = flags.peers.split(",").map((s) => s.trim()).filter(Boolean).map((spec) => {
      try {
        const peer = parsePeer(spec);
        return { public_key: peer.pk.hex(), address: peer.address };
      } catch (error) {
        throw new UsageError(`--peers: ${(error as Error).message}`);
      }
    });
  }
  if (flags["log-level"] !== undefined) config.log_level = flags["log-level"];
  if (flags["enable-route-setup"]) config.enable_route_setup = true;
}

const startCommand = defineCommand({
  name: "start",
  summary: "run a dmsg server",
  usage: "[flags] [CONFIG]",
  description: "Serves dmsg sessions and relays streams; the config uses Go dmsg-server's field\n" +
    "names (see 'config gen'). Flags override the config. Without a config a fresh key pair\n" +
    "is used. The published address follows the port it listens on (--addr, port 0 too)\n" +
    "unless public_address or --public-address names another. With enable_route_setup\n" +
    "(--enable-route-setup) it is also a route setup node on dmsg port 36 of its own key.\n" +
    "The --max-... flags and --limit-loopback set the server's limits (config fields of the\n" +
    "same names with underscores); 127.0.0.1 and ::1 are not capped per IP unless\n" +
    "limit_loopback is set, so visors on this host (skywire up) are not held back.\n" +
    "Prints the public key and address on stdout, logs on stderr, stops cleanly on SIGINT\n" +
    "or SIGTERM.",
  args: { min: 0, max: 1 },
  flags: startFlags,
  run: async ({ args, flags, out }) => {
    const path = flags.config ?? args[0];
    const { config, warnings } = await loadConfig(path);
    applyFlags(config, flags);
    const level = parseLogLevel(config.log_level) ?? "info";
    const logger = createLogger({ level, component: "dmsg_server" });
    for (const warning of warnings) logger.warn(warning);
    if (!path) logger.warn("no config given: using a fresh key pair for this run");
    // Listen for signals before printing the address, which tells callers we are up.
    using stop = stopOnSignals();
    const server = await startDmsgServer({ ...serverOptionsFromConfig(config), logger });
    // Every dmsg server answers /health on dmsg port 80 of its own key.
    const health = serveServerHealth(server, { logger: logger.child("health") });
    const setup = config.enable_route_setup
      ? serveRouteSetup(server, { logger: logger.child("route_setup") })
      : undefined;
    out(`${server.pk.hex()} ${server.address}`);
    trimNativeHeapWhileRunning(stop.signal); // what starting freed goes back to the system
    const signal = await stop.received;
    logger.info("shutting down", { signal });
    await closeWithin(async () => {
      await setup?.close();
      await health.shutdown();
      await server.close({ deleteEntry: true });
    }, { budgetMs: SHUTDOWN_LIMIT_MS, logger });
    return 0;
  },
});

const configGenCommand = defineCommand({
  name: "gen",
  summary: "generate a dmsg server config with a fresh key pair",
  usage: "[flags]",
  description: "Writes Go dmsg-server's config fields plus 'peers' (mode 0600); without -o the\n" +
    "config is printed.",
  flags: {
    output: stringFlag({ short: "o", valueName: "FILE", description: "file to write" }),
  },
  run: async ({ flags, out }) => {
    const text = serverConfigToJson(generateServerConfig());
    const path = flags.output;
    if (path === undefined) {
      out(text.trimEnd());
      return 0;
    }
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
});

/** `skywire dmsg server`: run a dmsg server, generate its config. */
export const dmsgServerCommand: Command = {
  name: "server",
  summary: "run a dmsg server",
  subcommands: [
    startCommand,
    { name: "config", summary: "dmsg server config files", subcommands: [configGenCommand] },
  ],
};
