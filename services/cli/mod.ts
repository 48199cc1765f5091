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
  runCommandLine,
} from "../../mod/cli/mod.ts";
import { addressResolverCommand } from "../address_resolver/commands.ts";
import { discoveryCommand } from "../dmsg_discovery/commands.ts";
import { dmsgServerCommand } from "../dmsg_server/commands.ts";
import { routeFinderCommand } from "../route_finder/commands.ts";
import { transportDiscoveryCommand } from "../transport_discovery/commands.ts";
import { upCommand } from "../up/commands.ts";
import { installCommand, releaseCommand, updateCommand } from "../updater/commands.ts";
import {
  cliVisorCommand,
  configGenCommand,
  dmsgCurlCommand,
  tpIdCommand,
  visorCommand,
} from "../visor/commands.ts";

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
        run: ({ flags, out }) =>
          out(
            flags.json
              ? JSON.stringify({
                version: VERSION,
                deno: Deno.version.deno,
                target: Deno.build.target,
              })
              : versionText,
          ),
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
