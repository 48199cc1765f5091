import { dirname } from "node:path";
import { detectLaunch, type Launch, serviceCommand } from "../../mod/launch/mod.ts";

/** Options for {@linkcode systemdUnit}. */
export interface SystemdUnitOptions {
  /** The node's command line (see {@linkcode nodeCommand}), absolute paths. */
  command: string[];
  /** Absolute path of the visor config. */
  config: string;
  /** Working directory; default the config's directory (where a relative `local_path` lives). */
  workingDirectory?: string;
}

/** Restart delay: systemd's default of 100 ms burns through the start limit in half a second. */
export const RESTART_SEC = 5;
/** Start-limit window (s) and burst: see the comment written into the unit. */
export const START_LIMIT_INTERVAL_SEC = 300;
/** Starts allowed within {@linkcode START_LIMIT_INTERVAL_SEC}. */
export const START_LIMIT_BURST = 10;

/**
 * Quote a path for a unit file's command line: `%` and `$` are unit-file specials, and
 * spaces need double quotes. Newlines cannot be written at all.
 */
export function quoteUnitArg(text: string): string {
  if (/[\n\r\0]/.test(text)) throw new Error(`cannot write ${JSON.stringify(text)} into a unit`);
  const escaped = text.replaceAll("%", "%%").replaceAll("$", "$$$$");
  if (!/[\s"'\\;]/.test(escaped)) return escaped;
  return `"${escaped.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/** Options for {@linkcode nodeCommand}. */
export interface NodeCommandOptions {
  /** Absolute path of the visor config. */
  config: string;
  /** A compiled skywire binary to run instead of the way this process runs (`--exe`). */
  exe?: string;
  /** How this process was started (default: detected). */
  launch?: Launch;
}

/**
 * The command line that runs the node (`visor -c CONFIG`) the way this process runs: the
 * compiled binary, or the Deno runtime with `run -A --unstable-kv`, the runtime flags and
 * `main.ts` under `deno run`, `deno task` or npx; `exe` names a compiled binary explicitly.
 */
export function nodeCommand(options: NodeCommandOptions): string[] {
  const args = ["visor", "-c", options.config];
  if (options.exe !== undefined) return [options.exe, ...args];
  return serviceCommand(options.launch ?? detectLaunch(), args);
}

/** Text of `skywire.service`. */
export function systemdUnit(options: SystemdUnitOptions): string {
  const cwd = options.workingDirectory ?? dirname(options.config);
  return `# Written by 'skywire install'. Prefer 'systemctl edit skywire' over editing this file.
[Unit]
Description=Skywire node (skywire-deno visor)
Wants=network-online.target
After=network-online.target
# Give up after ${START_LIMIT_BURST} starts within ${START_LIMIT_INTERVAL_SEC} s (see 'systemctl reset-failed skywire').
# A new version that never writes its booted-OK mark is rolled back at its 4th start; that
# start exits 75 and the restored binary starts next, 5 starts in all, well inside the limit.
StartLimitIntervalSec=${START_LIMIT_INTERVAL_SEC}
StartLimitBurst=${START_LIMIT_BURST}

[Service]
Type=simple
WorkingDirectory=${quoteUnitArg(cwd)}
ExecStart=${options.command.map(quoteUnitArg).join(" ")}
Restart=on-failure
RestartSec=${RESTART_SEC}
TimeoutStopSec=30
LimitNOFILE=65536
# skywire updates itself ('skywire update'); under 'deno run' the runtime would also look for
# new Deno releases at each start: a fetch, and 1.5-2 MiB more resident (a dmsg discovery here).
Environment=DENO_NO_UPDATE_CHECK=1

[Install]
WantedBy=multi-user.target
`;
}

/** Text of the environment file template (`/etc/skywire.conf`). */
export function envFileTemplate(): string {
  return `# Settings for skywire's updater, shell-style KEY=value lines as in Go Skywire's skywire.conf.
# Written once by 'skywire install' and never overwritten; edit freely.

# RESTART_SERVICES: units restarted (if active) right after an update was installed and skywire restarted, for services that depend on skywire (space- or comma-separated).
#RESTART_SERVICES="skywire-vpn-client.service, my-proxy.service"
`;
}
