import { join, resolve } from "node:path";
import { isCompiledBinary } from "../../mod/launch/mod.ts";
import { envFileTemplate, systemdUnit } from "../updater/mod.ts";
import { type Command, UsageError } from "./command.ts";

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

/** `skywire install`. */
export const installCommand: Command = {
  name: "install",
  summary: "write the systemd unit and environment file",
  usage: "[flags]",
  description: "Writes skywire.service (Restart=on-failure, RestartSec=5, start limits, running\n" +
    "'skywire visor -c CONFIG' in the config's directory) and, if it does not exist yet, the\n" +
    "environment file with a commented RESTART_SERVICES. --dry-run prints both instead.",
  flags: [
    { name: "dry-run", type: "boolean", description: "print the files; write nothing" },
    {
      name: "unit-dir",
      type: "string",
      valueName: "DIR",
      description: "where the unit goes",
      default: "/etc/systemd/system",
    },
    {
      name: "env-file",
      type: "string",
      valueName: "PATH",
      description: "environment file (never overwritten)",
      default: "/etc/skywire.conf",
    },
    {
      name: "exe",
      type: "string",
      valueName: "PATH",
      description: "skywire binary (default: this executable)",
    },
    {
      name: "config",
      type: "string",
      valueName: "PATH",
      description: "visor config",
      default: "skywire-config.json",
    },
  ],
  run: async ({ flags, out, err }) => {
    let exe = flags.exe as string | undefined;
    if (exe === undefined) {
      if (!isCompiledBinary()) {
        throw new UsageError("under 'deno run' pass --exe PATH of the compiled skywire binary");
      }
      exe = Deno.execPath();
    }
    exe = resolve(exe);
    const config = resolve(flags.config as string);
    const unitPath = join(flags["unit-dir"] as string, "skywire.service");
    const envPath = resolve(flags["env-file"] as string);
    const unit = systemdUnit({ exe, config });
    const env = envFileTemplate();
    if (flags["dry-run"]) {
      out(`# ${unitPath}`);
      out(unit.trimEnd());
      out("");
      out(`# ${envPath}${await exists(envPath) ? " (exists; would be left as it is)" : ""}`);
      out(env.trimEnd());
      return 0;
    }
    if (!(await exists(exe))) err(`warning: ${exe} does not exist (yet)`);
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
};
