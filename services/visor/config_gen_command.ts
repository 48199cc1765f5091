import { keyPairFromSecKey, PubKey } from "../../mod/cipher/mod.ts";
import {
  booleanFlag,
  type Command,
  defineCommand,
  integerValue,
  stringFlag,
  urlValue,
  UsageError,
  valueFlag,
} from "../../mod/cli/mod.ts";
import {
  configToJson,
  customServiceEndpoints,
  DEFAULT_CONFIG_FILE,
  generateConfig,
  type GenerateOptions,
  parseConfig,
  type ServiceEndpoints,
} from "../../mod/config/mod.ts";
import { controlListenAddress } from "./control_addr.ts";

function parsePks(text: string, flag: string): string[] {
  const list = text.split(",").map((s) => s.trim()).filter(Boolean);
  for (const pk of list) {
    try {
      PubKey.fromHex(pk);
    } catch (error) {
      throw new UsageError(`${flag}: ${(error as Error).message}`);
    }
  }
  return list;
}

/** `skywire config gen`. */
export const configGenCommand: Command = defineCommand({
  name: "gen",
  summary: "generate a visor config (skywire-config.json) with a fresh key pair",
  usage: "[flags]",
  description:
    "Writes a complete config with Skywire's field names. With -r an existing file is\n" +
    "regenerated keeping its keys and opt-ins (cascade route setup, min hops, hypervisors,\n" +
    "service endpoints other than a deployment's) unless flags override them.\n" +
    "The service flags point the node at another deployment, e.g. the discovery that\n" +
    "'skywire up' prints: --discovery http://127.0.0.1:9090.",
  flags: {
    output: stringFlag({
      short: "o",
      valueName: "FILE",
      description: "file to write",
      default: DEFAULT_CONFIG_FILE,
    }),
    regen: booleanFlag({ short: "r", description: "regenerate, keeping keys and opt-ins" }),
    stdout: booleanFlag({ short: "n", description: "print the config instead of writing a file" }),
    cascade: booleanFlag({ description: "opt in to cascade (source-driven) route setup" }),
    "min-hops": valueFlag({
      valueName: "N",
      description: "minimum hops for routes",
      parse: integerValue(0, 65535),
    }),
    hvpks: valueFlag({
      valueName: "PK,...",
      description: "hypervisor public keys",
      parse: parsePks,
    }),
    testenv: booleanFlag({ short: "t", description: "use the test deployment's services" }),
    discovery: valueFlag({ valueName: "URL", description: "dmsg discovery", parse: urlValue }),
    "transport-discovery": valueFlag({
      valueName: "URL",
      description: "transport discovery",
      parse: urlValue,
    }),
    "address-resolver": valueFlag({
      valueName: "URL",
      description: "address resolver",
      parse: urlValue,
    }),
    "route-finder": valueFlag({ valueName: "URL", description: "route finder", parse: urlValue }),
    "uptime-tracker": valueFlag({
      valueName: "URL",
      description: "uptime tracker",
      parse: urlValue,
    }),
    "service-discovery": valueFlag({
      valueName: "URL",
      description: "service discovery (apps)",
      parse: urlValue,
    }),
    // Go skywire-cli's names for the setup node lists.
    routesetup: valueFlag({
      valueName: "PK,...",
      description: "route setup node public keys",
      parse: parsePks,
    }),
    tpsetup: valueFlag({
      valueName: "PK,...",
      description: "transport setup node public keys",
      parse: parsePks,
    }),
    "cli-addr": valueFlag({
      valueName: "ADDR",
      description: "the visor's control address, loopback only (default localhost:3435)",
      parse: (text, flag) => {
        try {
          controlListenAddress(text);
        } catch (error) {
          throw new UsageError(`${flag}: ${(error as Error).message}`);
        }
        return text;
      },
    }),
  },
  run: async ({ flags, out, err }) => {
    const { output } = flags;
    const options: GenerateOptions = {};
    if (flags["min-hops"] !== undefined) options.minHops = flags["min-hops"];
    if (flags.hvpks !== undefined) options.hypervisors = flags.hvpks;
    if (flags.cascade) options.cascade = true;
    if (flags["cli-addr"] !== undefined) options.cliAddr = flags["cli-addr"];
    if (flags.testenv) options.testEnv = true;
    const services: Partial<ServiceEndpoints> = {};
    if (flags.discovery !== undefined) services.dmsgDiscovery = flags.discovery;
    if (flags["transport-discovery"] !== undefined) {
      services.transportDiscovery = flags["transport-discovery"];
    }
    if (flags["address-resolver"] !== undefined) {
      services.addressResolver = flags["address-resolver"];
    }
    if (flags["route-finder"] !== undefined) services.routeFinder = flags["route-finder"];
    if (flags["uptime-tracker"] !== undefined) services.uptimeTracker = flags["uptime-tracker"];
    if (flags["service-discovery"] !== undefined) {
      services.serviceDiscovery = flags["service-discovery"];
    }
    if (flags.routesetup !== undefined) services.routeSetupNodes = flags.routesetup;
    if (flags.tpsetup !== undefined) services.transportSetup = flags.tpsetup;
    options.services = services;

    let exists = false;
    try {
      await Deno.lstat(output);
      exists = true;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    if (flags.regen) {
      if (!exists) throw new Error(`cannot regenerate: ${output} does not exist`);
      const old = parseConfig(await Deno.readTextFile(output));
      for (const warning of old.warnings) err(`warning: ${warning}`);
      options.keys = keyPairFromSecKey(old.sk);
      options.cascade ??= old.config.routing.enable_cascade_route_setup ? true : undefined;
      options.minHops ??= old.config.routing.min_hops;
      options.hypervisors ??= old.config.hypervisors ?? [];
      options.cliAddr ??= old.config.cli_addr;
      // Endpoints the operator chose (none of the deployments') are opt-ins too; the
      // deployments' own are refreshed to this build's.
      options.services = { ...customServiceEndpoints(old.config), ...services };
      if (old.config.updater) {
        // Keep the operator's update source and channel; they are opt-ins too.
        const config = generateConfig(options);
        config.updater = { ...config.updater, ...old.config.updater };
        return write(configToJson(config));
      }
    } else if (exists && !flags.stdout) {
      throw new Error(`${output} already exists; use -r to regenerate it keeping its keys`);
    }
    return write(configToJson(generateConfig(options)));

    async function write(text: string): Promise<number> {
      if (flags.stdout) {
        out(text.trimEnd());
        return 0;
      }
      // Write beside the target and rename, so a crash never leaves half a config.
      const tmp = `${output}.tmp-${Deno.pid}`;
      try {
        await Deno.writeTextFile(tmp, text, { mode: 0o600 });
        await Deno.rename(tmp, output);
      } catch (error) {
        await Deno.remove(tmp).catch(() => {});
        throw error;
      }
      const pk = JSON.parse(text).pk;
      err(`wrote ${output} (pk ${pk})`);
      return 0;
    }
  },
});
