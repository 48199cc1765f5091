/**
 * `skywire svc ar`: run the address resolver until SIGINT/SIGTERM (Go's `skywire svc ar`,
 * formerly the `address-resolver` binary; flag names as Go's where they exist).
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
import { startAddressResolver } from "./mod.ts";

/** `skywire svc ar`. */
export const addressResolverCommand: Command = defineCommand({
  name: "ar",
  summary: "run an address resolver (stcpr)",
  description: "Serves Go's address-resolver HTTP API: visors bind where they listen for stcpr\n" +
    "and resolve each other. Bindings and nonces are kept in DIR/address-resolver.kv.\n" +
    "sudph (bound over UDP in Go) is not served. Prints the URL on stdout, logs on stderr,\n" +
    "stops cleanly on SIGINT or SIGTERM.",
  flags: {
    addr: listenAddrFlag({ default: ":9093" }),
    testing: booleanFlag({
      short: "t",
      description: "test mode: bind visors from any IP (loopback, private) and keep bindings",
    }),
    "entry-timeout": entryTimeoutFlag({
      record: "a binding",
      refresh: "a new bind",
      removed: "unbound",
    }),
    "trust-proxy-headers": booleanFlag({
      description: "take the visor's IP from X-Real-IP/X-Forwarded-For (behind a reverse proxy)",
    }),
    data: dataDirFlag({ default: "address-resolver" }),
    "log-level": logLevelFlag({ default: "info" }),
  },
  run: ({ flags, out }) =>
    serveUntilStopped(
      { component: "address_resolver", level: flags["log-level"], out },
      (logger) =>
        startAddressResolver({
          addr: flags.addr,
          storePath: join(flags.data, "address-resolver.kv"),
          testMode: flags.testing,
          bindTtlMs: flags["entry-timeout"],
          trustProxyHeaders: flags["trust-proxy-headers"],
          logger,
        }),
    ),
});
