/**
 * `skywire dmsg discovery`, for `services/cli` to compose.
 *
 * @module
 */
import { join } from "node:path";
import {
  booleanFlag,
  type Command,
  configFlag,
  dataDirFlag,
  defineCommand,
  type FlagParser,
  integerValue,
  listenAddrFlag,
  logLevelFlag,
  UsageError,
  valueFlag,
} from "../../mod/cli/mod.ts";
import { serveUntilStopped } from "../../mod/lifecycle/mod.ts";
import { startDiscovery } from "./mod.ts";
import {
  applyRateLimitSettings,
  DEFAULT_RATE_LIMITS,
  type DiscoveryRateLimits,
  parseRateText,
  RateLimitConfigError,
  type RateLimitSettings,
  rateLimitSettingsFromConfig,
} from "./rate_limits.ts";

const rateValue: FlagParser<number> = (text, flag) => {
  const rate = parseRateText(text);
  if (rate === undefined) {
    throw new UsageError(`${flag} wants requests per second (0 or off: no limit), got "${text}"`);
  }
  return rate;
};

/**
 * The config file (`-c`): JSON with a `rate_limit` object, e.g.
 * `{"rate_limit": {"per_ip": 2000, "per_ip_burst": 4000, "global": 0}}`.
 */
async function configSettings(path: string | undefined): Promise<RateLimitSettings> {
  if (!path) return {};
  let config: unknown;
  try {
    config = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    throw new UsageError(`cannot read config "${path}": ${(error as Error).message}`);
  }
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new UsageError(`config "${path}": want a JSON object`);
  }
  const { rate_limit: rateLimit, ...rest } = config as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new UsageError(`config "${path}": unknown key "${unknown[0]}"`);
  try {
    return rateLimitSettingsFromConfig(rateLimit);
  } catch (error) {
    if (error instanceof RateLimitConfigError) {
      throw new UsageError(`config "${path}": ${error.message}`);
    }
    throw error;
  }
}

/** `skywire dmsg discovery`: run a dmsg discovery until SIGINT/SIGTERM. */
export const discoveryCommand: Command = defineCommand({
  name: "discovery",
  summary: "run a dmsg discovery",
  description: "Serves Go's dmsg-discovery HTTP API; entries are kept in DIR/dmsg-discovery.kv.\n" +
    "Prints the URL on stdout, logs on stderr, stops cleanly on SIGINT or SIGTERM.\n" +
    "Requests are limited per remote IP (default 2000/s, burst 4000), then, if set, for the\n" +
    "whole service; flags override the config file's rate_limit object (per_ip, per_ip_burst,\n" +
    'global, global_burst), e.g. {"rate_limit": {"per_ip": 5000, "global": 20000}}.',
  flags: {
    addr: listenAddrFlag({ default: ":9090" }),
    "test-mode": booleanFlag({
      short: "t",
      description: "test mode: accept server entries with loopback addresses",
    }),
    data: dataDirFlag({ default: "dmsg-discovery", description: "directory for the entry store" }),
    config: configFlag({ description: "config file (JSON, with a rate_limit object)" }),
    "rate-limit": valueFlag({
      valueName: "RPS",
      description: "requests per second per remote IP; 0 or off: no limit (default 2000)",
      parse: rateValue,
    }),
    "rate-limit-burst": valueFlag({
      valueName: "N",
      description: "requests one remote IP may make at once (default twice the rate)",
      parse: integerValue(1),
    }),
    "global-rate-limit": valueFlag({
      valueName: "RPS",
      description: "requests per second for all clients together; 0 or off: none (default)",
      parse: rateValue,
    }),
    "global-rate-limit-burst": valueFlag({
      valueName: "N",
      description: "requests all clients together may make at once (default twice the rate)",
      parse: integerValue(1),
    }),
    "log-level": logLevelFlag({ default: "info" }),
  },
  run: async ({ flags, out }) => {
    const { addr } = flags;
    let limits: DiscoveryRateLimits;
    try {
      limits = applyRateLimitSettings(
        applyRateLimitSettings(DEFAULT_RATE_LIMITS, await configSettings(flags.config)),
        {
          perIp: flags["rate-limit"],
          perIpBurst: flags["rate-limit-burst"],
          global: flags["global-rate-limit"],
          globalBurst: flags["global-rate-limit-burst"],
        },
      );
    } catch (error) {
      if (error instanceof RateLimitConfigError) throw new UsageError(error.message);
      throw error;
    }
    return await serveUntilStopped(
      { component: "dmsg_discovery", level: flags["log-level"], out },
      (logger) =>
        startDiscovery({
          addr,
          storePath: join(flags.data, "dmsg-discovery.kv"),
          testMode: flags["test-mode"],
          rateLimit: limits.perIp,
          globalRateLimit: limits.global,
          logger,
        }),
    );
  },
});
