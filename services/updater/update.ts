import { createHash } from "node:crypto";
import { createLogger, type Logger } from "../../mod/log/mod.ts";
import {
  ManifestError,
  parseSignedManifest,
  type Release,
  type ReleaseChannel,
  type ReleaseKey,
  type ReleaseTarget,
  verifyManifest,
} from "../../mod/release/mod.ts";
import { compareVersions } from "../../mod/version/mod.ts";
import {
  keepPrevious,
  removeWorkFiles,
  smokeTest,
  swapInto,
  type TargetFiles,
  targetFiles,
} from "./binary.ts";
import { downloadAsset, type DownloadResult } from "./download.ts";
import { errorText, UpdateError } from "./errors.ts";
import type { Progress } from "../../mod/cli/mod.ts";
import { restartAfterUpdate, type RestartOptions, type RestartReport } from "./restart.ts";
import { fetchManifest, manifestUrl } from "./source.ts";
import { type CheckRecord, openUpdaterState, type UpdaterState } from "./state.ts";
import type { UpdateTarget } from "./target.ts";

/** Options for {@linkcode runUpdate}. */
export interface UpdateOptions {
  /** Manifest URL or file; `{channel}` is replaced by the channel. */
  source: string;
  /** Channel to follow; a manifest for another channel is refused. */
  channel: ReleaseChannel;
  /** Keys whose signatures are accepted (embedded plus `updater.trusted_keys`). */
  trustedKeys: readonly ReleaseKey[];
  /** The binary to replace (see `resolveUpdateTarget`). */
  target: UpdateTarget;
  /** Directory of `updater.kv`. */
  stateDir: string;
  /** Install (true) or only check (false). */
  install: boolean;
  /** Accept a version older than the installed one. */
  allowDowngrade?: boolean;
  /** Asked before downloading; resolve false to stop (`declined`). */
  confirm?: (release: Release, target: UpdateTarget) => Promise<boolean> | boolean;
  /** Do not install a version that was rolled back before (the background updater). */
  skipRolledBack?: boolean;
  /** Time the new version gets to write its "booted OK" mark (ms). */
  bootTimeoutMs: number;
  /** Restart units after installing; omitted: nothing is restarted. */
  restart?: RestartOptions;
  /** Which asset to take; default `Deno.build.target`. */
  buildTarget?: string;
  /** Download progress display. */
  progress?: Progress;
  /** Logger. */
  logger?: Logger;
  /** Cancels the update (a partial download is kept). */
  signal?: AbortSignal;
  /** Clock, for tests. */
  now?: () => Date;
}

/** How an update run ended (failures throw {@linkcode UpdateError} instead). */
export type UpdateStatus =
  | "up-to-date"
  | "downgrade-refused"
  | "available"
  | "skipped"
  | "declined"
  | "installed";

/** The result of {@linkcode runUpdate}. */
export interface UpdateResult {
  /** How it ended. */
  status: UpdateStatus;
  /** One line for the operator. */
  message: string;
  /** Version installed before. */
  currentVersion: string;
  /** The verified release, when the manifest was fetched. */
  release?: Release;
  /** Key whose signature was accepted. */
  keyId?: string;
  /** What the download did (for `installed`). */
  download?: DownloadResult;
  /** What was restarted (for `installed` with `restart`). */
  restart?: RestartReport;
}

async function fileSize(path: string): Promise<number> {
  return await Deno.stat(path).then((i) => i.size, () => 0);
}

async function sha256OfFile(path: string): Promise<string> {
  using file = await Deno.open(path, { read: true });
  const hash = createHash("sha256");
  const buffer = new Uint8Array(1024 * 1024);
  for (;;) {
    const n = await file.read(buffer);
    if (n === null) break;
    hash.update(buffer.subarray(0, n));
  }
  return hash.digest("hex");
}

async function fetchAndVerify(options: UpdateOptions, client: Deno.HttpClient) {
  const url = manifestUrl(options.source, options.channel);
  const bytes = await fetchManifest(url, { client, signal: options.signal });
  try {
    const verified = verifyManifest(parseSignedManifest(bytes), {
      trustedKeys: options.trustedKeys,
      channel: options.channel,
    });
    return { url, ...verified };
  } catch (error) {
    if (error instanceof ManifestError) {
      const step = error.code === "too-large" ? "manifest" : "verify-manifest";
      throw new UpdateError(step, error.code, error.message, { cause: error });
    }
    throw error;
  }
}

/** Make sure the target's directory takes new files, by creating the partial file. */
async function prepare(files: TargetFiles, partPath: string): Promise<void> {
  try {
    const file = await Deno.open(partPath, {
      write: true,
      create: true,
      append: true,
      mode: 0o600,
    });
    file.close();
  } catch (error) {
    throw new UpdateError(
      "prepare",
      "not-writable",
      `cannot write in ${files.dir} (${errorText(error)}); run the update as the owner of ` +
        `${files.target}, e.g. with sudo`,
      { cause: error },
    );
  }
}

async function install(
  options: UpdateOptions,
  state: UpdaterState,
  release: Release,
  assetUrlBase: URL,
  client: Deno.HttpClient,
): Promise<{ download: DownloadResult; files: TargetFiles }> {
  const logger = options.logger!;
  const buildTarget = (options.buildTarget ?? Deno.build.target) as ReleaseTarget;
  const asset = release.assets[buildTarget]!;
  const files = targetFiles(options.target.path);
  const partPath = `${files.workPrefix}${release.version}-${asset.sha256.slice(0, 16)}.part`;
  const newPath = `${files.workPrefix}${release.version}.new`;

  const unlock = await state.lock();
  if (!unlock) throw new UpdateError("prepare", "busy", "another update is running");
  try {
    // Leftovers of other releases or of a crash; a partial download of this one is kept.
    await removeWorkFiles(files, [partPath]);
    await prepare(files, partPath);
    const url = new URL(asset.file, assetUrlBase);
    logger.info("downloading", { url: url.href, size: asset.size, to: partPath });
    let download: DownloadResult;
    try {
      download = await downloadAsset({
        url,
        partPath,
        expectedSize: asset.size,
        client,
        signal: options.signal,
        onProgress: options.progress ? (d, t) => options.progress!.update(d, t) : undefined,
      });
    } finally {
      options.progress?.end();
      if (await fileSize(partPath) === 0) await Deno.remove(partPath).catch(() => {});
    }
    const size = await fileSize(partPath);
    if (size !== asset.size) {
      await Deno.remove(partPath).catch(() => {});
      throw new UpdateError(
        "verify",
        "size-mismatch",
        `downloaded ${size} bytes, want ${asset.size}`,
      );
    }
    const digest = await sha256OfFile(partPath);
    if (digest !== asset.sha256) {
      await Deno.remove(partPath).catch(() => {});
      throw new UpdateError(
        "verify",
        "checksum-mismatch",
        `SHA-256 of the download is ${digest}, the signed manifest says ${asset.sha256}`,
      );
    }
    try {
      await Deno.rename(partPath, newPath);
      await smokeTest(newPath, files.target, release.version);
      await keepPrevious(files);
      await swapInto(newPath, files);
    } catch (error) {
      await Deno.remove(newPath).catch(() => {});
      throw error;
    }
    return { download, files };
  } finally {
    await unlock();
  }
}

/**
 * Check for an update and, with `install`, install it: fetch the manifest; verify its signature
 * and channel; refuse a version that is not newer (unless `allowDowngrade`); download into the
 * target's own directory (resuming a partial download); check size and SHA-256; run the new
 * binary with `--version`; keep the current one as `<target>.prev`; rename the new one over the
 * target; record the update as pending its "booted OK" mark; and, with `restart`, restart the
 * node's unit and `RESTART_SERVICES`.
 *
 * Failures throw {@linkcode UpdateError} naming the step; the installed binary is then
 * untouched. Every outcome is recorded in the updater state.
 */
export async function runUpdate(options: UpdateOptions): Promise<UpdateResult> {
  const logger = options.logger ?? createLogger({ component: "updater" });
  const now = options.now ?? (() => new Date());
  options = { ...options, logger };
  const current = options.target.version;
  using state = await openUpdaterState({ stateDir: options.stateDir, logger });
  const record = (r: Omit<CheckRecord, "time" | "channel" | "source" | "current_version">) =>
    state.recordCheck({
      time: now().toISOString(),
      channel: options.channel,
      source: options.source,
      current_version: current,
      ...r,
    });
  const client = Deno.createHttpClient({});
  try {
    const { url, release, keyId } = await fetchAndVerify(options, client);
    const base = { currentVersion: current, release, keyId };
    const order = compareVersions(release.version, current);
    if (order === 0) {
      await record({ result: "up-to-date", available_version: release.version });
      return { ...base, status: "up-to-date", message: `up to date (${current})` };
    }
    if (order < 0 && !options.allowDowngrade) {
      await record({ result: "downgrade-refused", available_version: release.version });
      return {
        ...base,
        status: "downgrade-refused",
        message: `not installing ${release.version} from ${options.channel}: it is older than ` +
          `the installed ${current} (use --allow-downgrade to go back)`,
      };
    }
    const buildTarget = options.buildTarget ?? Deno.build.target;
    if (!Object.hasOwn(release.assets, buildTarget)) {
      throw new UpdateError(
        "verify-manifest",
        "no-asset",
        `release ${release.version} has no binary for ${buildTarget}`,
      );
    }
    if (options.skipRolledBack && await state.wasRolledBack(release.version)) {
      await record({ result: "skipped", available_version: release.version });
      return {
        ...base,
        status: "skipped",
        message: `not installing ${release.version}: it was rolled back on this node before`,
      };
    }
    if (!options.install) {
      await record({ result: "available", available_version: release.version });
      return {
        ...base,
        status: "available",
        message: `update available: ${current} -> ${release.version} (${options.channel})`,
      };
    }
    if (options.confirm && !(await options.confirm(release, options.target))) {
      await record({ result: "declined", available_version: release.version });
      return { ...base, status: "declined", message: "update not installed" };
    }
    const { download, files } = await install(options, state, release, url, client);
    const time = now().toISOString();
    await state.setPending({
      from_version: current,
      to_version: release.version,
      exe: files.target,
      prev: files.prev,
      installed_at: time,
      starts: 0,
      boot_timeout_ms: options.bootTimeoutMs,
    });
    await state.addHistory({
      time,
      event: "installed",
      from_version: current,
      to_version: release.version,
      exe: files.target,
    });
    await record({ result: "installed", available_version: release.version });
    logger.info("installed", { version: release.version, exe: files.target, prev: files.prev });
    const restart = options.restart ? await restartAfterUpdate(options.restart) : undefined;
    return {
      ...base,
      status: "installed",
      message: `installed ${release.version} over ${current} at ${files.target} ` +
        `(previous kept as ${files.prev})`,
      download,
      restart,
    };
  } catch (error) {
    const failure = error instanceof UpdateError ? error : undefined;
    await record({
      result: "failed",
      step: failure?.step,
      code: failure?.code,
      message: errorText(error),
    }).catch(() => {});
    throw error;
  } finally {
    client.close();
  }
}
