import { join, resolve } from "node:path";
import { envFileTemplate, nodeCommand, systemdUnit } from "./mod.ts";
import {
  booleanFlag,
  type Command,
  configFlag,
  defineCommand,
  stringFlag,
} from "../../mod/cli/mod.ts";
import { DEFAULT_CONFIG_FILE } from "../../mod/config/mod.ts";

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

/** `skywire install`. */
export const installCommand: Command = defineCommand({
  name: "install",
  summary: "write the systemd unit and environment file",
  usage: "[flags]",
  description: "Writes skywire.service (Restart=on-failure, RestartSec=5, start limits, running\n" +
    "'skywire visor -c CONFIG' in the config's directory: this binary, or under 'deno run' the\n" +
    "same Deno running main.ts) and, if it does not exist yet, the environment file with a\n" +
    "commented RESTART_SERVICES. --dry-run prints both instead.",
  flags: {
    "dry-run": booleanFlag({ description: "print the files; write nothing" }),
    "unit-dir": stringFlag({
      valueName: "DIR",
      description: "where the unit goes",
      default: "/etc/systemd/system",
    }),
    "env-file": stringFlag({
      valueName: "PATH",
      description: "environment file (never overwritten)",
      default: "/etc/skywire.conf",
    }),
    exe: stringFlag({
      valueName: "PATH",
      description: "compiled skywire binary to run (default: the way this command runs)",
    }),
    config: configFlag({ default: DEFAULT_CONFIG_FILE }),
  },
  run: async ({ flags, out, err }) => {
    const config = resolve(flags.config);
    const exe = flags.exe === undefined ? undefined : resolve(flags.exe);
    const command = nodeCommand({ config, exe });
    const unitPath = join(flags["unit-dir"], "skywire.service");
    const envPath = resolve(flags["env-file"]);
    const unit = systemdUnit({ command, config });
    if (command[0].includes("/_npx/")) {
      err(
        `warning: the unit runs Deno from npx's cache (${command[0]}), which npm may clear; ` +
          "install Deno, or pass --exe of a compiled skywire, for a lasting service",
      );
    }
    const env = envFileTemplate();
    if (flags["dry-run"]) {
      out(`# ${unitPath}`);
      out(unit.trimEnd());
      out("");
      out(`# ${envPath}${await exists(envPath) ? " (exists; would be left as it is)" : ""}`);
      out(env.trimEnd());
      return 0;
    }
    if (!(await exists(command[0]))) err(`warning: ${command[0]} does not exist (yet)`);
    if (!(await exists(config))) {
      err(`warning: ${config} does not exist; create it with 'skywire config gen -o ${config}'`);
    }
    // Temp file beside the unit, then rename: systemd never reads half a unit.
    const tmp = `${unitPath}.tmp-${Deno.pid}`;
    try {
      await Deno.writeTextFile(tmp, unit, { mode: 0o644 });
      await Deno.rename(tmp, unitPath);
    } catch (error) {
      await Deno.remove(tmp).catch(() => {});
      throw error;
    }
    out(`wrote ${unitPath}`);
    try {
      await Deno.writeTextFile(envPath, env, { createNew: true, mode: 0o644 });
      out(`wrote ${envPath}`);
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      out(`kept ${envPath} (already exists)`);
    }
    out("next: systemctl daemon-reload && systemctl enable --now skywire");
    return 0;
  },
});
