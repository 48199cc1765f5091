/**
 * `skywire up`, for `services/cli` to compose.
 *
 * @module
 */
import {
  booleanFlag,
  type Command,
  defineCommand,
  jsonFlag,
  logLevelFlag,
  portValue,
  stringFlag,
  UsageError,
  valueFlag,
} from "../../mod/cli/mod.ts";
import { trimNativeHeapWhileRunning } from "../../mod/ffi/mod.ts";
import { aborted, closeWithin, stopOnSignals } from "../../mod/lifecycle/mod.ts";
import { createLogger, LogRing, stderrSink, teeSink } from "../../mod/log/mod.ts";
import { parseDuration } from "../../mod/config/mod.ts";
import { DirLockedError } from "../../mod/store/mod.ts";
import {
  DEFAULT_ADDRESS_RESOLVER_PORT,
  DEFAULT_CLI_PORT,
  DEFAULT_DISCOVERY_PORT,
  DEFAULT_DMSG_SERVER_PORT,
  DEFAULT_EXIT_CLI_PORT,
  DEFAULT_ROUTE_FINDER_PORT,
  DEFAULT_SOCKS_PORT,
  DEFAULT_TRANSPORT_DISCOVERY_PORT,
  DEFAULT_UI_PORT,
  DEFAULT_UP_DATA_DIR,
  startUp,
  type UpInfo,
} from "./mod.ts";

/** The text `skywire up` prints once the network is up. */
export function upSummary(info: UpInfo): string {
  const where = (v: UpInfo["visor"]) =>
    [v.cli_addr && `control ${v.cli_addr}`, v.stcpr && `stcpr ${v.stcpr}`].filter(Boolean)
      .join(", ");
  const visor = where(info.visor);
  const exit = where(info.exit_visor);
  const proxy = info.socks5 && info.try_proxy
    ? [
      "",
      `A SOCKS5 proxy on ${info.socks5} leaves through the exit visor (a route over stcpr);`,
      "try it, or point a browser's SOCKS5 setting at it (http://status.skysocks/ shows its state):",
      `  ${info.try_proxy}`,
    ]
    : ["", "The SOCKS5 proxy did not start (see the log)."];
  const certificate = info.ui_cert_sha256
    ? [
      "Its certificate is self-signed: the browser warns once; the SHA-256 fingerprint it",
      `shows should be ${info.ui_cert_sha256}.`,
    ]
    : [];
  return [
    // The UI first: it is what a newcomer opens.
    `Open ${info.ui} in a browser: the node's web UI (the first visit sets its password).`,
    ...certificate,
    "",
    "skywire up: a private Skywire network on this machine",
    "",
    `  web UI               ${info.ui}`,
    `  discovery            ${info.discovery}`,
    `  dmsg server          ${info.dmsg_server.pk}  (tcp ${info.dmsg_server.address})`,
    `  setup node           ${info.setup_node}  (the dmsg server, dmsg port 36)`,
    `  transport discovery  ${info.transport_discovery}`,
    `  address resolver     ${info.address_resolver}`,
    `  route finder         ${info.route_finder}`,
    `  visor                ${info.visor.pk}${visor ? `  (${visor})` : ""}`,
    `  exit visor           ${info.exit_visor.pk}${exit ? `  (${exit})` : ""}`,
    `  SOCKS5 proxy         ${info.socks5 ?? "none"}  (skysocks-client → skysocks on the exit)`,
    `  data                 ${info.data_dir}`,
    "",
    `Try it from another terminal${info.try_dir ? ` in ${info.try_dir}` : ""}` +
    " (the visor answers /health on dmsg port 80):",
    `  ${info.try}`,
    "List the visor's transports (its stcpr transport to the exit visor):",
    `  ${info.try_transports}`,
    ...proxy,
    "",
    "Stop with Ctrl-C.",
  ].join("\n");
}

/** `skywire up`: discovery, dmsg server and visor on loopback until Ctrl-C. */
export const upCommand: Command = defineCommand({
  name: "up",
  summary:
    "run a whole private network on loopback (services, dmsg server, two visors, a SOCKS5 proxy)",
  description: "Needs no config and no network. Keys and state are kept in the data directory,\n" +
    "so public keys stay the same across restarts. Ports default to " +
    `${DEFAULT_DISCOVERY_PORT} (dmsg discovery),\n` +
    `${DEFAULT_DMSG_SERVER_PORT} (dmsg server, also the route setup node), ` +
    `${DEFAULT_TRANSPORT_DISCOVERY_PORT} (transport discovery),\n` +
    `${DEFAULT_ROUTE_FINDER_PORT} (route finder), ${DEFAULT_ADDRESS_RESOLVER_PORT} (address resolver),\n` +
    `${DEFAULT_CLI_PORT} and ${DEFAULT_EXIT_CLI_PORT} (the visors' control endpoints), ` +
    `${DEFAULT_SOCKS_PORT} (SOCKS5 proxy) and\n` +
    `${DEFAULT_UI_PORT} (web UI); a taken port falls back to a free one.\n` +
    "Prints the web UI's address first, then the keys, the addresses and commands to try;\n" +
    "logs go to stderr. Ctrl-C stops everything within 2 s. One 'up' at a time per data\n" +
    "directory: a second one exits 2 naming the running one.",
  flags: {
    data: stringFlag({
      valueName: "DIR",
      description: "state directory",
      default: DEFAULT_UP_DATA_DIR,
    }),
    json: jsonFlag("print the addresses as one line of JSON (for scripts)"),
    "discovery-port": valueFlag({
      valueName: "PORT",
      description: "discovery port (0: any free port)",
      parse: portValue,
      default: DEFAULT_DISCOVERY_PORT,
    }),
    "server-port": valueFlag({
      valueName: "PORT",
      description: "dmsg server port (0: any free port)",
      parse: portValue,
      default: DEFAULT_DMSG_SERVER_PORT,
    }),
    "transport-discovery-port": valueFlag({
      valueName: "PORT",
      description: "transport discovery port (0: any free port)",
      parse: portValue,
      default: DEFAULT_TRANSPORT_DISCOVERY_PORT,
    }),
    "route-finder-port": valueFlag({
      valueName: "PORT",
      description: "route finder port (0: any free port)",
      parse: portValue,
      default: DEFAULT_ROUTE_FINDER_PORT,
    }),
    "address-resolver-port": valueFlag({
      valueName: "PORT",
      description: "address resolver port (0: any free port)",
      parse: portValue,
      default: DEFAULT_ADDRESS_RESOLVER_PORT,
    }),
    "cli-port": valueFlag({
      valueName: "PORT",
      description: "the visor's control endpoint port on 127.0.0.1 (0: any free port)",
      parse: portValue,
      default: DEFAULT_CLI_PORT,
    }),
    "exit-cli-port": valueFlag({
      valueName: "PORT",
      description: "the exit visor's control endpoint port on 127.0.0.1 (0: any free port)",
      parse: portValue,
      default: DEFAULT_EXIT_CLI_PORT,
    }),
    "socks-port": valueFlag({
      valueName: "PORT",
      description: "SOCKS5 proxy port on 127.0.0.1 (0: any free port)",
      parse: portValue,
      default: DEFAULT_SOCKS_PORT,
    }),
    "ui-port": valueFlag({
      valueName: "PORT",
      description: "web UI port on 127.0.0.1 (0: any free port)",
      parse: portValue,
      default: DEFAULT_UI_PORT,
    }),
    "ui-tls": booleanFlag({
      description: "serve the web UI over HTTPS (a self-signed certificate, made once and kept " +
        "in the data directory)",
    }),
    "ui-session-ttl": valueFlag({
      valueName: "DURATION",
      description: "how long a web UI login lasts (Go duration)",
      parse: (text, flag) => {
        const ms = parseDuration(text);
        if (ms === undefined || ms <= 0) {
          throw new UsageError(`${flag} wants a duration such as "12h"`);
        }
        return ms;
      },
      default: 12 * 60 * 60 * 1000,
      defaultText: "12h",
    }),
    "log-level": logLevelFlag({ default: "info" }),
  },
  run: async ({ flags, out, err }) => {
    // The web UI's log page reads the newest lines from memory; stderr gets them all the same.
    const logs = new LogRing();
    const logger = createLogger({
      level: flags["log-level"],
      component: "up",
      sink: teeSink(stderrSink, logs.sink),
    });
    using stop = stopOnSignals();
    let network;
    try {
      network = await startUp({
        dataDir: flags.data,
        discoveryPort: flags["discovery-port"],
        serverPort: flags["server-port"],
        transportDiscoveryPort: flags["transport-discovery-port"],
        addressResolverPort: flags["address-resolver-port"],
        routeFinderPort: flags["route-finder-port"],
        cliPort: flags["cli-port"],
        exitCliPort: flags["exit-cli-port"],
        socksPort: flags["socks-port"],
        uiPort: flags["ui-port"],
        uiSessionTtlMs: flags["ui-session-ttl"],
        uiTls: flags["ui-tls"],
        logs,
        logger,
        signal: stop.signal,
      });
    } catch (error) {
      // Ctrl-C while starting: everything started so far is closed; that is a clean stop.
      if (stop.signal.aborted) return 0;
      if (error instanceof DirLockedError) {
        err(`skywire up: ${error.message}; stop it first, or pass --data DIR`);
        return 2;
      }
      throw error;
    }
    out(flags.json ? JSON.stringify(network.info) : upSummary(network.info));
    // What starting freed (module loading, transpiling on a cold cache) goes back to the system.
    trimNativeHeapWhileRunning(stop.signal);
    await aborted(stop.signal);
    logger.info("shutting down", { reason: String(stop.signal.reason?.message ?? "") });
    if (!(await closeWithin(() => network.close(), { logger }))) return 1;
    logger.info("stopped");
    return 0;
  },
});
