/**
 * `skywire svc rf`: run the route finder until SIGINT/SIGTERM (Go's `skywire svc rf`, formerly
 * the `route-finder` binary). Go's reads the transport discovery's Postgres database; ours
 * reads a transport discovery over HTTP (`--tpd`).
 *
 * @module
 */
import {
  type Command,
  defineCommand,
  listenAddrFlag,
  logLevelFlag,
  urlValue,
  valueFlag,
} from "../../mod/cli/mod.ts";
import { serveUntilStopped } from "../../mod/lifecycle/mod.ts";
import { startRouteFinder, TpdTransportSource } from "./mod.ts";

/** `skywire svc rf`. */
export const routeFinderCommand: Command = defineCommand({
  name: "rf",
  summary: "run a route finder",
  description: "Serves Go's route-finder HTTP API: visors POST /routes with pairs of visors and\n" +
    "get routes over the transports registered in the transport discovery given by --tpd\n" +
    "(read over HTTP as each search goes). Prints the URL on stdout, logs on stderr, stops\n" +
    "cleanly on SIGINT or SIGTERM.",
  flags: {
    addr: listenAddrFlag({ default: ":9092" }),
    tpd: valueFlag({
      valueName: "URL",
      description: "transport discovery to read transports from",
      parse: urlValue,
      default: "http://127.0.0.1:9091",
    }),
    "log-level": logLevelFlag({ default: "info" }),
  },
  run: ({ flags, out }) =>
    serveUntilStopped(
      { component: "route_finder", level: flags["log-level"], out },
      (logger) =>
        startRouteFinder({
          addr: flags.addr,
          source: new TpdTransportSource(flags.tpd),
          logger,
        }),
    ),
});
