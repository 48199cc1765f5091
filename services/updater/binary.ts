import { basename, dirname, join } from "node:path";
import { errorText, UpdateError } from "./errors.ts";

/** How long `<binary> --version` may take before it counts as broken. */
const VERSION_TIMEOUT_MS = 30_000;
/** Output of `--version` kept (a binary printing megabytes is broken anyway). */
const VERSION_OUTPUT_LIMIT = 4096;

const VERSION_TOKEN = /(?:^|[\s(v])(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)(?=$|[\s),])/m;

/** What running `<binary> --version` showed. */
export interface VersionProbe {
  /** Exit code (or -1 when it could not run or timed out). */
  code: number;
  /** The first `MAJOR.MINOR.PATCH[-pre]` in its output, if any. */
  version?: string;
  /** Its output (stdout then stderr), trimmed and capped. */
  output: string;
  /** Why it could not run, if it could not. */
  error?: string;
}

/** Run `path --version` with a time limit and read the version it prints. */
export async function probeVersion(path: string): Promise<VersionProbe> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), VERSION_TIMEOUT_MS);
  try {
    const out = await new Deno.Command(path, {
      args: ["--version"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: controller.signal,
      clearEnv: false,
    }).output();
    const decoder = new TextDecoder();
    const output = (decoder.decode(out.stdout.subarray(0, VERSION_OUTPUT_LIMIT)) + "\n" +
      decoder.decode(out.stderr.subarray(0, VERSION_OUTPUT_LIMIT))).trim();
    const version = out.success ? VERSION_TOKEN.exec(output)?.[1] : undefined;
    return {
      code: controller.signal.aborted ? -1 : out.code,
      version,
      output,
      error: controller.signal.aborted ? "timed out" : undefined,
    };
  } catch (error) {
    return { code: -1, output: "", error: errorText(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** Names of the files the updater keeps beside a target binary. */
export interface TargetFiles {
  /** The binary itself. */
  target: string;
  /** The previous binary, kept for rollback. */
  prev: string;
  /** Its directory (downloads go here: a rename never crosses filesystems). */
  dir: string;
  /** Prefix of the updater's hidden work files in `dir`. */
  workPrefix: string;
}

/** The files beside `target`. */
export function targetFiles(target: string): TargetFiles {
  const dir = dirname(target);
  return {
    target,
    prev: `${target}.prev`,
    dir,
    workPrefix: join(dir, `.${basename(target)}.update-`),
  };
}

/** Remove the updater's work files in the target's directory except those in `keep`. */
export async function removeWorkFiles(files: TargetFiles, keep: string[] = []): Promise<void> {
  const prefix = basename(files.workPrefix);
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(files.dir));
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(files.dir, entry.name);
    if (entry.name.startsWith(prefix) && !keep.includes(path)) {
      await Deno.remove(path).catch(() => {});
    }
  }
}

/**
 * Check the new binary runs and reports `expectedVersion`; the file is made executable with the
 * target's permission bits (and owner, when we may) first. Throws {@linkcode UpdateError}
 * (`smoke-test`).
 */
export async function smokeTest(
  path: string,
  target: string,
  expectedVersion: string,
): Promise<void> {
  const info = await Deno.stat(target);
  await Deno.chmod(path, ((info.mode ?? 0o755) & 0o7777) | 0o100);
  if (Deno.uid() === 0 && info.uid !== null && info.gid !== null) {
    await Deno.chown(path, info.uid, info.gid).catch(() => {});
  }
  const probe = await probeVersion(path);
  if (probe.code !== 0) {
    const why = probe.error ?? `exit code ${probe.code}`;
    throw new UpdateError(
      "smoke-test",
      "smoke-test-failed",
      `the new binary failed '--version' (${why}): ${probe.output.slice(0, 200) || "no output"}`,
    );
  }
  if (probe.version !== expectedVersion) {
    throw new UpdateError(
      "smoke-test",
      "version-mismatch",
      `the new binary reports version ${probe.version ?? "(none)"}, the release says ` +
        `${expectedVersion}`,
    );
  }
}

/**
 * Keep the current binary as `<target>.prev`: a hard link (no copy, and the running inode is
 * untouched) renamed into place, or a copy where links are not allowed. Throws
 * {@linkcode UpdateError} (`backup`).
 */
export async function keepPrevious(files: TargetFiles): Promise<void> {
  const tmp = `${files.workPrefix}prev-${Deno.pid}`;
  try {
    await Deno.remove(tmp).catch(() => {});
    try {
      await Deno.link(files.target, tmp);
    } catch {
      await Deno.copyFile(files.target, tmp);
      const info = await Deno.stat(files.target);
      if (info.mode !== null) await Deno.chmod(tmp, info.mode & 0o7777);
    }
    await Deno.rename(tmp, files.prev);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw new UpdateError(
      "backup",
      "backup-failed",
      `cannot keep the current binary as ${files.prev}: ${errorText(error)}`,
      { cause: error },
    );
  }
}

/**
 * Put `newPath` in place of the target with one `rename()`: atomic, and the running process
 * keeps its old inode (writing into a running executable fails with ETXTBSY). Throws
 * {@linkcode UpdateError} (`swap`).
 */
export async function swapInto(newPath: string, files: TargetFiles): Promise<void> {
  try {
    await Deno.rename(newPath, files.target);
  } catch (error) {
    throw new UpdateError(
      "swap",
      "swap-failed",
      `cannot move the new binary over ${files.target}: ${errorText(error)}`,
      { cause: error },
    );
  }
}

/** Put `<target>.prev` back over the target. Throws {@linkcode UpdateError} (`rollback`). */
export async function restorePrevious(files: TargetFiles): Promise<void> {
  try {
    await Deno.stat(files.prev);
  } catch {
    throw new UpdateError(
      "rollback",
      "no-previous",
      `there is no previous binary (${files.prev}) to go back to`,
    );
  }
  try {
    await Deno.rename(files.prev, files.target);
  } catch (error) {
    throw new UpdateError(
      "rollback",
      "rollback-failed",
      `cannot move ${files.prev} back over ${files.target}: ${errorText(error)}`,
      { cause: error },
    );
  }
}
