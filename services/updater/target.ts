import { resolve } from "node:path";
import { isCompiledBinary } from "../../mod/launch/mod.ts";
import { VERSION } from "../../mod/version/mod.ts";
import { probeVersion } from "./binary.ts";
import { UpdateError } from "./errors.ts";

/** The binary an update replaces and its current version. */
export interface UpdateTarget {
  /** Real path (symlinks resolved, so the link keeps pointing at the updated file). */
  path: string;
  /** Version installed there now. */
  version: string;
  /** Whether it is this very process's executable. */
  self: boolean;
}

/** Options for {@linkcode resolveUpdateTarget}. */
export interface ResolveTargetOptions {
  /** `--target PATH`; default this process's executable when compiled. */
  explicit?: string;
  /** Version to assume for the target instead of asking it (`--version`). */
  currentVersion?: string;
  /** For tests: this process's executable and main module. */
  execPath?: string;
  /** For tests. */
  mainModule?: string;
}

/**
 * Decide which file an update replaces. Compiled: `Deno.execPath()` unless `--target` says
 * otherwise. Under `deno run`: only an explicit `--target` that is not the Deno runtime.
 * The current version is this build's for the running executable, otherwise what the target
 * prints for `--version`. Throws {@linkcode UpdateError} (`target`).
 */
export async function resolveUpdateTarget(
  options: ResolveTargetOptions = {},
): Promise<UpdateTarget> {
  const execPath = options.execPath ?? Deno.execPath();
  const compiled = isCompiledBinary(execPath, options.mainModule ?? Deno.mainModule);
  const runtime = await Deno.realPath(execPath).catch(() => execPath);
  let path: string;
  if (options.explicit !== undefined) {
    try {
      path = await Deno.realPath(resolve(options.explicit));
    } catch {
      throw new UpdateError("target", "no-target", `--target ${options.explicit} does not exist`);
    }
    if (!compiled && path === runtime) {
      throw new UpdateError(
        "target",
        "no-target",
        `${path} is the Deno runtime running this command, not a skywire binary`,
      );
    }
  } else if (compiled) {
    path = runtime;
  } else {
    throw new UpdateError(
      "target",
      "no-target",
      `running under 'deno run': refusing to replace the Deno runtime (${execPath}); ` +
        `pass --target PATH of the skywire binary to update`,
    );
  }
  const info = await Deno.stat(path);
  if (!info.isFile) throw new UpdateError("target", "no-target", `${path} is not a file`);
  const self = compiled && path === runtime;
  if (options.currentVersion !== undefined) return { path, version: options.currentVersion, self };
  if (self) return { path, version: VERSION, self };
  const probe = await probeVersion(path);
  if (!probe.version) {
    throw new UpdateError(
      "target",
      "no-target",
      `cannot tell the version of ${path} ('--version' gave ${
        probe.error ?? `exit ${probe.code}`
      }: ${probe.output.slice(0, 100) || "no output"})`,
    );
  }
  return { path, version: probe.version, self };
}
