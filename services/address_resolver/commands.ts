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
  defineCommand,
  durationValue,
  logLevelFlag,
  stringFlag,
  UsageError,
  valueFlag,
} from "../../mod/cli/mod.ts";
import { stopOnSignals } from "../../mod/lifecycle/mod.ts";
import { createLogger } from "../../mod/log/mod.ts";
import { parseListenAddress } from "../../mod/netutil/mod.ts";
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
    addr: stringFlag({
      short: "a",
      valueName: "ADDR",
      description: "address to listen on, host:port (':9093' is every interface)",
      default: ":9093",
    }),
    testing: booleanFlag({
      short: "t",
      description: "test mode: bind visors from any IP (loopback, private) and keep bindings",
    }),
    "entry-timeout": valueFlag({
      valueName: "DURATION",
      description: "how long a binding lives without a new bind (0: until unbound; " +
        "default 5m, or 0 with --testing)",
      parse: durationValue,
    }),
    "trust-proxy-headers": booleanFlag({
      description: "take the visor's IP from X-Real-IP/X-Forwarded-For (behind a reverse proxy)",
    }),
    data: stringFlag({
      valueName: "DIR",
      description: "directory for the store",
      default: "address-resolver",
    }),
    "log-level": logLevelFlag({ default: "info" }),
  },
  run: async ({ flags, out }) => {
    try {
      parseListenAddress(flags.addr);
    } catch {
      throw new UsageError(`invalid --addr "${flags.addr}" (want host:port)`);
    }
    const logger = createLogger({ level: flags["log-level"], component: "address_resolver" });
    // Listen for signals before printing the URL, which tells callers we are up.
    using stop = stopOnSignals();
    const service = await startAddressResolver({
      addr: flags.addr,
      storePath: join(flags.data, "address-resolver.kv"),
      testMode: flags.testing,
      bindTtlMs: flags["entry-timeout"],
      trustProxyHeaders: flags["trust-proxy-headers"],
      logger,
    });
    out(service.url);
    const signal = await stop.received;
    logger.info("shutting down", { signal });
    await service.close();
    return 0;
  },
});
