import { join } from "node:path";
import { createLogger, type Logger } from "../../mod/log/mod.ts";
import { readRestartServices } from "./env_file.ts";
import { errorText } from "./errors.ts";

/** `systemctl restart` waits for the unit's stop and start; give up waiting after this long. */
const SYSTEMCTL_TIMEOUT_MS = 120_000;

/** Options for {@linkcode restartAfterUpdate}. */
export interface RestartOptions {
  /** This node's systemd unit (`updater.service`), restarted first. */
  service: string;
  /** Environment file whose `RESTART_SERVICES` lists further units (`updater.env_file`). */
  envFile: string;
  /** `PATH` searched for `systemctl` and `systemd-run`; default the process's `PATH`. */
  pathEnv?: string;
  /** Logger; one line per unit. */
  logger?: Logger;
  /** Text of `/proc/self/cgroup` (tests); read from the system by default. */
  selfCgroup?: string;
  /**
   * Command that performs these restarts from outside this process's unit (the new binary with
   * `update --restart-only ...`). Used when this process runs inside the unit it must restart,
   * which would otherwise kill it before it reaches `RESTART_SERVICES`.
   */
  delegate?: { exe: string; args: string[] };
}

/** What happened to one unit. */
export interface UnitRestart {
  /** Unit name as listed. */
  unit: string;
  /** `restarted`, `inactive` (skipped: not running) or `failed`. */
  result: "restarted" | "inactive" | "failed";
  /** `is-active` state or the failure reason. */
  detail?: string;
}

/** What {@linkcode restartAfterUpdate} did. */
export interface RestartReport {
  /** Per-unit results, in the order they were handled. */
  units: UnitRestart[];
  /** Name of the transient unit the restarts were handed to, when delegated. */
  delegatedTo?: string;
  /** Things the operator should know (no systemctl, bad names in `RESTART_SERVICES`, ...). */
  warnings: string[];
}

/** Find an executable on `pathEnv` (a `PATH` value). */
export function findExecutable(name: string, pathEnv: string | undefined): string | undefined {
  for (const dir of (pathEnv ?? "").split(":")) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    try {
      const info = Deno.statSync(candidate);
      if (info.isFile && ((info.mode ?? 0) & 0o111) !== 0) return candidate;
    } catch {
      // Not here; keep looking.
    }
  }
  return undefined;
}

function unitBase(unit: string): string {
  return unit.endsWith(".service") ? unit.slice(0, -".service".length) : unit;
}

/** Whether the cgroup listing (`/proc/self/cgroup`) puts this process inside `service`. */
export function insideUnit(cgroupText: string, service: string): boolean {
  const wanted = `${unitBase(service)}.service`;
  return cgroupText.split("\n").some((line) => {
    const path = line.split(":").slice(2).join(":");
    return path.split("/").includes(wanted);
  });
}

async function run(
  path: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), SYSTEMCTL_TIMEOUT_MS);
  try {
    const out = await new Deno.Command(path, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: controller.signal,
    }).output();
    const decoder = new TextDecoder();
    return {
      code: controller.signal.aborted ? -1 : out.code,
      stdout: decoder.decode(out.stdout).trim(),
      stderr: controller.signal.aborted ? "timed out" : decoder.decode(out.stderr).trim(),
    };
  } catch (error) {
    return { code: -1, stdout: "", stderr: errorText(error) };
  } finally {
    clearTimeout(timer);
  }
}

async function restartIfActive(
  systemctl: string,
  unit: string,
  noBlock: boolean,
  logger: Logger,
): Promise<UnitRestart> {
  const state = await run(systemctl, ["is-active", unit]);
  if (state.code !== 0) {
    const detail = state.stdout || state.stderr || `exit code ${state.code}`;
    logger.info("not restarting a unit that is not active", { unit, state: detail });
    return { unit, result: "inactive", detail };
  }
  const out = await run(systemctl, noBlock ? ["restart", "--no-block", unit] : ["restart", unit]);
  if (out.code !== 0) {
    const detail = out.stderr || out.stdout || `exit code ${out.code}`;
    logger.error("restart failed", { unit, error: detail });
    return { unit, result: "failed", detail };
  }
  logger.info("restarted", { unit });
  return { unit, result: "restarted" };
}

function readSelfCgroup(): string {
  try {
    return Deno.readTextFileSync("/proc/self/cgroup");
  } catch {
    return "";
  }
}

/**
 * After a new binary was installed: restart this node's unit, then each unit in
 * `RESTART_SERVICES` from the environment file, skipping units that are not active
 * (`systemctl is-active`). Never throws; every outcome is in the report.
 *
 * When this process runs inside the node's own unit (the background updater), restarting that
 * unit would kill this process before it reaches the other units. The restarts are then handed
 * to a transient unit (`systemd-run --collect`) running `delegate`; without `systemd-run`, the
 * other units go first and the node's own restart is queued last without waiting.
 */
export async function restartAfterUpdate(options: RestartOptions): Promise<RestartReport> {
  const logger = options.logger ?? createLogger({ component: "updater" });
  const pathEnv = options.pathEnv ?? Deno.env.get("PATH");
  const report: RestartReport = { units: [], warnings: [] };
  const systemctl = findExecutable("systemctl", pathEnv);
  if (!systemctl) {
    report.warnings.push(
      `systemctl not found on PATH: restart ${options.service} (and RESTART_SERVICES) yourself`,
    );
    logger.warn(report.warnings[0]);
    return report;
  }
  let extra: string[] = [];
  try {
    const listed = await readRestartServices(options.envFile);
    extra = listed.units.filter((u) => unitBase(u) !== unitBase(options.service));
    for (const bad of listed.invalid) {
      report.warnings.push(`RESTART_SERVICES in ${options.envFile}: "${bad}" is not a unit name`);
    }
  } catch (error) {
    report.warnings.push(`cannot read ${options.envFile}: ${errorText(error)}`);
  }
  for (const warning of report.warnings) logger.warn(warning);

  const inside = insideUnit(options.selfCgroup ?? readSelfCgroup(), options.service);
  if (!inside) {
    for (const unit of [options.service, ...extra]) {
      report.units.push(await restartIfActive(systemctl, unit, false, logger));
    }
    return report;
  }
  const systemdRun = findExecutable("systemd-run", pathEnv);
  if (systemdRun && options.delegate) {
    const name = `${unitBase(options.service)}-update-restart-${Date.now()}`;
    const out = await run(systemdRun, [
      `--unit=${name}`,
      "--collect",
      "--no-block",
      "--quiet",
      "--",
      options.delegate.exe,
      ...options.delegate.args,
    ]);
    if (out.code === 0) {
      logger.info("handed the restarts to a transient unit", { unit: name });
      report.delegatedTo = name;
      return report;
    }
    report.warnings.push(`systemd-run failed (${out.stderr || `exit ${out.code}`})`);
    logger.warn(report.warnings.at(-1)!);
  }
  // Restarting our own unit ends this process, so it goes last and without waiting.
  for (const unit of extra) {
    report.units.push(await restartIfActive(systemctl, unit, false, logger));
  }
  report.units.push(await restartIfActive(systemctl, options.service, true, logger));
  return report;
}
