/**
 * The `skywire` command tree, composed from the commands each service exports (its
 * `commands.ts`) plus `version`. `main.ts` hands the command line to {@linkcode main}.
 *
 * @module
 */
import { VERSION } from "../../mod/version/mod.ts";
import {
  booleanFlag,
  type Command,
  defineCommand,
  jsonFlag,
  lazyCommand,
  runCommandLine,
} from "../../mod/cli/mod.ts";

// Each command's module is imported only when the command line picks it: `skywire up` loads
// neither the updater's commands nor the operator tools. The summaries are the commands' own
// (tests/services/cli/mod_test.ts keeps them equal).
const upCommand = lazyCommand(
  "up",
  "run a whole private network on loopback (services, dmsg server, two visors, a SOCKS5 proxy)",
  async () => (await import("../up/commands.ts")).upCommand,
);
const visorCommand = lazyCommand(
  "visor",
  "run the visor (node) from a config file",
  async () => (await import("../visor/commands.ts")).visorCommand,
);
const configGenCommand = lazyCommand(
  "gen",
  "generate a visor config (skywire-config.json) with a fresh key pair",
  async () => (await import("../visor/commands.ts")).configGenCommand,
);
const dmsgCurlCommand = lazyCommand(
  "curl",
  "fetch a dmsg:// URL over dmsg HTTP",
  // Its own module, not the visor's commands: a one-shot fetch need not load the node.
  async () => (await import("../visor/dmsg_curl_command.ts")).dmsgCurlCommand,
);
const tpIdCommand = lazyCommand(
  "id",
  "print the deterministic transport id of two public keys and a type",
  async () => (await import("../visor/commands.ts")).tpIdCommand,
);
const cliVisorCommand = lazyCommand(
  "visor",
  "ask a running visor (its control endpoint on cli_addr)",
  async () => (await import("../visor/commands.ts")).cliVisorCommand,
);
const dmsgServerCommand = lazyCommand(
  "server",
  "run a dmsg server",
  async () => (await import("../dmsg_server/commands.ts")).dmsgServerCommand,
);
const discoveryCommand = lazyCommand(
  "discovery",
  "run a dmsg discovery",
  async () => (await import("../dmsg_discovery/commands.ts")).discoveryCommand,
);
const transportDiscoveryCommand = lazyCommand(
  "tpd",
  "run a transport discovery",
  async () => (await import("../transport_discovery/commands.ts")).transportDiscoveryCommand,
);
const addressResolverCommand = lazyCommand(
  "ar",
  "run an address resolver (stcpr)",
  async () => (await import("../address_resolver/commands.ts")).addressResolverCommand,
);
const routeFinderCommand = lazyCommand(
  "rf",
  "run a route finder",
  async () => (await import("../route_finder/commands.ts")).routeFinderCommand,
);
const updateCommand = lazyCommand(
  "update",
  "check for and install a signed update",
  async () => (await import("../updater/commands.ts")).updateCommand,
);
const releaseCommand = lazyCommand(
  "release",
  "make release keys and signed manifests (maintainers)",
  async () => (await import("../updater/commands.ts")).releaseCommand,
);
const installCommand = lazyCommand(
  "install",
  "write the systemd unit and environment file",
  async () => (await import("../updater/commands.ts")).installCommand,
);

const versionText = `skywire ${VERSION} (deno ${Deno.version.deno}, ${Deno.build.target})`;

/** The root command. */
export function rootCommand(): Command {
  return defineCommand({
    name: "skywire",
    summary: "skywire: a Skywire edge node (visor, dmsg server, discovery, updater) in one binary",
    flags: { version: booleanFlag({ short: "v", description: "print the version" }) },
    subcommands: [
      defineCommand({
        name: "version",
        summary: "print the version",
        flags: { json: jsonFlag() },
        run: async ({ flags, out }) => {
          if (!flags.json) return out(versionText);
          // The crypto backends in use (and why not the native library when it is not), for
          // operators; imported here so that plain --version stays light.
          const { secp256k1Status } = await import("../../mod/cipher/mod.ts");
          const { aeadStatus } = await import("../../mod/noise/mod.ts");
          out(JSON.stringify({
            version: VERSION,
            deno: Deno.version.deno,
            target: Deno.build.target,
            secp256k1: secp256k1Status(),
            aead: aeadStatus(),
          }));
        },
      }),
      {
        name: "config",
        summary: "generate and check visor configs",
        subcommands: [configGenCommand],
      },
      upCommand,
      visorCommand,
      {
        name: "dmsg",
        summary: "dmsg server, discovery and tools",
        subcommands: [
          dmsgServerCommand,
          discoveryCommand,
          dmsgCurlCommand,
        ],
      },
      {
        name: "svc",
        summary: "the services a private network needs (as Go's skywire svc)",
        subcommands: [transportDiscoveryCommand, addressResolverCommand, routeFinderCommand],
      },
      updateCommand,
      releaseCommand,
      installCommand,
      {
        name: "cli",
        summary: "tools for operators",
        subcommands: [
          { name: "tp", summary: "transport tools", subcommands: [tpIdCommand] },
          cliVisorCommand,
        ],
      },
    ],
    run: ({ flags, out }) => {
      if (flags.version) {
        out(versionText);
        return 0;
      }
      return undefined;
    },
  });
}

const encoder = new TextEncoder();

/** Run the CLI and resolve to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const root = rootCommand();
  if (argv.length === 0) argv = ["--help"];
  return await runCommandLine(root, argv, {
    out: (text) => Deno.stdout.writeSync(encoder.encode(text + "\n")),
    err: (text) => Deno.stderr.writeSync(encoder.encode(text + "\n")),
  });
}
