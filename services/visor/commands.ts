/**
 * The visor's commands, for `services/cli` to compose: `skywire visor` (run the node),
 * `config gen` (its skywire-config.json), `cli tp id` (transport ids) and `cli visor ...` (a
 * running visor through its control endpoint). `dmsg curl` is loaded from its own module
 * (`dmsg_curl_command.ts`), so that a one-shot fetch does not evaluate these.
 *
 * @module
 */
import { type Command, configFlag, defineCommand } from "../../mod/cli/mod.ts";
import { DEFAULT_CONFIG_FILE } from "../../mod/config/mod.ts";
import { stopOnSignals } from "../../mod/lifecycle/mod.ts";
import { runVisor } from "./run.ts";

/** `skywire visor`: run the node from its config until SIGINT/SIGTERM. */
export const visorCommand: Command = defineCommand({
  name: "visor",
  summary: "run the visor (node) from a config file",
  description: "Starts the node from skywire-config.json: its stores under local_path, the dmsg\n" +
    "client (dmsg.discovery, dmsg.sessions_count, dmsg.servers), /health on dmsg port 80 and\n" +
    "the background updater. After an update it writes the booted-OK mark once reachable, or\n" +
    "exits with code 75 when it rolled back to the previous binary. Stops cleanly on SIGINT or\n" +
    "SIGTERM within 2 s (or the config's shutdown_timeout when shorter). Logs go to stderr.",
  flags: { config: configFlag({ default: DEFAULT_CONFIG_FILE }) },
  run: async ({ flags }) => {
    using stop = stopOnSignals();
    return await runVisor({ configPath: flags.config, signal: stop.signal });
  },
});

export { configGenCommand } from "./config_gen_command.ts";
export { hvCertCommand } from "./hv_cert_command.ts";
export { hvPasswordCommand } from "./hv_password_command.ts";
export { tpIdCommand } from "./tp_id_command.ts";
export { cliVisorCommand } from "./visor_cli_commands.ts";
