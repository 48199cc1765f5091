import { join, resolve } from "node:path";
import {
  booleanFlag,
  type Command,
  configFlag,
  createProgress,
  defineCommand,
  type FlagValues,
  jsonFlag,
  oneOfValue,
  stringFlag,
  UsageError,
  valueFlag,
} from "../../mod/cli/mod.ts";
import {
  DEFAULT_CONFIG_FILE,
  defaultUpdater,
  loadNodeConfig,
  parseDuration,
  type UpdaterConfig,
} from "../../mod/config/mod.ts";
import { isCompiledBinary } from "../../mod/launch/mod.ts";
import { createLogger } from "../../mod/log/mod.ts";
import { RELEASE_CHANNELS, trustedReleaseKeys } from "../../mod/release/mod.ts";
import {
  readUpdaterStatus,
  resolveUpdateTarget,
  restartAfterUpdate,
  type RestartReport,
  rollbackUpdate,
  runUpdate,
  targetFiles,
  type UpdaterStatusRecord,
} from "./mod.ts";

const encoder = new TextEncoder();

/** `--from`: a URL or a file; `host:port/...` is a URL that lost its scheme, not a file. */
function sourceValue(text: string, flag: string): string {
  if (/^[a-z0-9.-]+:\d+(\/|$)/i.test(text)) {
    throw new UsageError(`${flag}: "${text}" has no scheme (did you mean http://${text}?)`);
  }
  return text;
}

const updateFlags = {
  check: booleanFlag({ description: "only check; install nothing" }),
  channel: valueFlag({
    valueName: "C",
    description: `release channel (${RELEASE_CHANNELS.join(", ")}; default updater.channel)`,
    parse: oneOfValue(RELEASE_CHANNELS),
  }),
  from: valueFlag({
    valueName: "URL|FILE",
    description: "manifest source (default updater.url)",
    parse: sourceValue,
  }),
  yes: booleanFlag({ short: "y", description: "install without asking" }),
  target: stringFlag({
    valueName: "PATH",
    description: "binary to replace (default: this executable; required under deno run)",
  }),
  "allow-downgrade": booleanFlag({ description: "accept an older version" }),
  rollback: booleanFlag({ description: "put <exe>.prev back and restart" }),
  status: booleanFlag({ description: "show updater state" }),
  json: jsonFlag("print JSON (with --status or --check)"),
  config: configFlag(),
  "state-dir": stringFlag({
    valueName: "DIR",
    description: "directory of updater.kv (default the config's local_path)",
  }),
  "env-file": stringFlag({
    valueName: "PATH",
    description: "file with RESTART_SERVICES (default updater.env_file)",
  }),
  service: stringFlag({
    valueName: "UNIT",
    description: "this node's systemd unit (default updater.service)",
  }),
  "no-restart": booleanFlag({ description: "do not restart any unit" }),
  "restart-only": booleanFlag({
    description: "only restart the node's unit and RESTART_SERVICES (used after an update)",
  }),
};

interface Settings {
  updater: UpdaterConfig;
  stateDir: string;
}

/**
 * The updater settings: `-c CONFIG`, else `./skywire-config.json` when present, else defaults.
 * The state directory is the config's `local_path`, resolved as the visor resolves it.
 */
async function loadSettings(
  flags: FlagValues<typeof updateFlags>,
  err: (t: string) => void,
): Promise<Settings> {
  let configPath = flags.config;
  if (
    configPath === undefined && await Deno.stat(DEFAULT_CONFIG_FILE).then(() => true, () => false)
  ) {
    configPath = DEFAULT_CONFIG_FILE;
  }
  let updater = defaultUpdater();
  let stateDir = resolve("local");
  if (configPath !== undefined) {
    const loaded = await loadNodeConfig(configPath);
    for (const warning of loaded.warnings) err(`warning: ${warning}`);
    updater = loaded.config.updater;
    stateDir = loaded.stateDir;
  }
  if (flags["state-dir"] !== undefined) stateDir = resolve(flags["state-dir"]);
  if (flags.service !== undefined) updater = { ...updater, service: flags.service };
  if (flags["env-file"] !== undefined) updater = { ...updater, env_file: flags["env-file"] };
  return { updater, stateDir };
}

function printRestart(report: RestartReport, out: (t: string) => void, err: (t: string) => void) {
  for (const warning of report.warnings) err(`warning: ${warning}`);
  if (report.delegatedTo) out(`restarts handed to transient unit ${report.delegatedTo}`);
  for (const unit of report.units) {
    if (unit.result === "restarted") out(`restarted ${unit.unit}`);
    else if (unit.result === "inactive") out(`skipped ${unit.unit} (not active: ${unit.detail})`);
    else err(`restart of ${unit.unit} failed: ${unit.detail}`);
  }
}

function statusText(status: UpdaterStatusRecord, settings: Settings, exists: boolean): string[] {
  const lines = [
    `channel ${settings.updater.channel}, source ${settings.updater.url || "(none)"}`,
    `state ${join(settings.stateDir, "updater.kv")}${exists ? "" : " (none yet)"}`,
  ];
  const c = status.last_check;
  lines.push(
    c
      ? `last check ${c.time}: ${c.result}` +
        (c.available_version ? ` (offered ${c.available_version})` : "") +
        ` running ${c.current_version}` +
        (c.message && c.result === "failed" ? `: ${c.message}` : "")
      : "last check: never",
  );
  const p = status.pending;
  lines.push(
    p
      ? `pending: ${p.from_version} -> ${p.to_version} at ${p.exe}, waiting for booted-OK ` +
        `(${p.starts} start(s)${p.first_start_at ? `, first ${p.first_start_at}` : ""})`
      : "pending: none",
  );
  if (status.booted_ok) {
    lines.push(`booted OK: ${status.booted_ok.version} at ${status.booted_ok.time}`);
  }
  if (status.rolled_back_versions.length) {
    lines.push(`rolled back before: ${status.rolled_back_versions.join(", ")}`);
  }
  lines.push(status.history.length ? "history:" : "history: empty");
  for (const h of status.history.slice(0, 10)) {
    const change = h.from_version || h.to_version
      ? ` ${h.from_version ?? "?"} -> ${h.to_version ?? "?"}`
      : "";
    lines.push(`  ${h.time} ${h.event}${change} ${h.exe}${h.reason ? ` (${h.reason})` : ""}`);
  }
  return lines;
}

async function askYesNo(question: string): Promise<boolean> {
  Deno.stderr.writeSync(encoder.encode(`${question} [y/N] `));
  const buffer = new Uint8Array(64);
  const n = await Deno.stdin.read(buffer);
  const answer = new TextDecoder().decode(buffer.subarray(0, n ?? 0)).trim().toLowerCase();
  return answer === "y" || answer === "yes";
}

/** `skywire update`. */
export const updateCommand: Command = defineCommand({
  name: "update",
  summary: "check for and install a signed update",
  usage: "[flags]",
  description: "Fetches the signed release manifest (updater.url, or --from), verifies it, and\n" +
    "installs a newer version in place of this binary: downloaded beside it, checked (size,\n" +
    "SHA-256, '--version'), the current binary kept as <exe>.prev, then renamed over it. After\n" +
    "an install the node's unit and the units in RESTART_SERVICES (updater.env_file) are\n" +
    "restarted if active. Without -c, ./skywire-config.json is used when present.",
  flags: updateFlags,
  run: async ({ flags, out, err }) => {
    const modes = (["check", "rollback", "status", "restart-only"] as const).filter((m) =>
      flags[m]
    );
    if (modes.length > 1) throw new UsageError(`--${modes.join(" and --")} do not go together`);
    const settings = await loadSettings(flags, err);
    const { updater } = settings;
    const restart = {
      service: updater.service,
      envFile: updater.env_file,
      logger: createLogger({ component: "updater", level: "warn" }),
    };

    if (flags["restart-only"]) {
      const report = await restartAfterUpdate(restart);
      printRestart(report, out, err);
      return report.units.some((u) => u.result === "failed") ? 1 : 0;
    }

    if (flags.status) {
      // Only reads: a node that never checked has no state yet, and looking must not make one.
      const found = await readUpdaterStatus({ stateDir: settings.stateDir });
      const status = found ?? { history: [], rolled_back_versions: [] };
      const target = await resolveUpdateTarget({ explicit: flags.target }).catch(() => undefined);
      const prev = target
        ? await Deno.stat(targetFiles(target.path).prev).then(() => true, () => false)
        : false;
      if (flags.json) {
        out(JSON.stringify(
          {
            target: target?.path ?? null,
            version: target?.version ?? null,
            previous_kept: prev,
            channel: updater.channel,
            source: updater.url,
            state: join(settings.stateDir, "updater.kv"),
            state_exists: found !== undefined,
            ...status,
          },
          null,
          2,
        ));
      } else {
        out(
          target
            ? `skywire ${target.version} at ${target.path}` +
              (prev ? ` (previous kept as ${targetFiles(target.path).prev})` : "")
            : `skywire (not a compiled binary; pass --target to show one)`,
        );
        for (const line of statusText(status, settings, found !== undefined)) out(line);
      }
      return 0;
    }

    const logger = createLogger({ component: "updater", level: "warn" });

    if (flags.rollback) {
      let exe = flags.target;
      if (exe === undefined && isCompiledBinary()) exe = Deno.execPath();
      if (exe === undefined) {
        exe = (await readUpdaterStatus({ stateDir: settings.stateDir }))?.pending?.exe;
      }
      if (exe === undefined) {
        throw new UsageError("under 'deno run' --rollback needs --target PATH");
      }
      const result = await rollbackUpdate({
        stateDir: settings.stateDir,
        exe: resolve(exe),
        logger,
      });
      out(
        result.pending
          ? `rolled back ${result.exe} from ${result.pending.to_version} to ` +
            `${result.pending.from_version} (the update was not confirmed booted OK)`
          : `rolled back ${result.exe} to the previous binary`,
      );
      if (!flags["no-restart"]) {
        const report = await restartAfterUpdate(restart);
        printRestart(report, out, err);
      }
      return 0;
    }

    const channel = flags.channel ?? updater.channel;
    const source = flags.from ?? updater.url;
    if (!source) {
      throw new UsageError("no update source: set updater.url in the config or pass --from");
    }
    const target = await resolveUpdateTarget({ explicit: flags.target });
    const interactive = Deno.stdin.isTerminal();
    const result = await runUpdate({
      source,
      channel,
      trustedKeys: trustedReleaseKeys(updater.trusted_keys ?? []),
      target,
      stateDir: settings.stateDir,
      install: !flags.check,
      allowDowngrade: flags["allow-downgrade"],
      bootTimeoutMs: parseDuration(updater.boot_timeout) ?? 120_000,
      logger,
      progress: createProgress({
        label: "downloading",
        terminal: Deno.stderr.isTerminal(),
        write: (text) => Deno.stderr.writeSync(encoder.encode(text)),
      }),
      confirm: flags.yes ? undefined : async (release) => {
        if (!interactive) {
          err(
            `update ${target.version} -> ${release.version} available; not installing ` +
              `without --yes (no terminal to ask)`,
          );
          return false;
        }
        return await askYesNo(
          `install skywire ${release.version} over ${target.version} at ${target.path}?`,
        );
      },
      restart: flags["no-restart"] ? undefined : restart,
    });
    if (flags.json) {
      out(JSON.stringify({
        status: result.status,
        message: result.message,
        current_version: result.currentVersion,
        available_version: result.release?.version ?? null,
        channel,
        key_id: result.keyId ?? null,
        restart: result.restart ?? null,
      }));
    } else {
      out(result.message);
      if (result.restart) printRestart(result.restart, out, err);
    }
    if (result.status === "declined") return 1;
    if (result.restart?.units.some((u) => u.result === "failed")) return 1;
    return 0;
  },
});
