import { basename, dirname, join } from "node:path";

/** Error codes that mean "not allowed here", never "damaged". */
const ACCESS_CODES = new Set(["EACCES", "EPERM", "EROFS"]);

/** Whether `error` is a permission or read-only-filesystem error (Deno's or node's). */
export function isAccessError(error: unknown): boolean {
  if (error instanceof Deno.errors.PermissionDenied) return true;
  if (error instanceof Deno.errors.NotCapable) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && ACCESS_CODES.has(code);
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : (error as Error).name;
}

/**
 * What stops `path` from opening for reading and writing, if it is permissions; anything else
 * (absent, a directory in its place) is the probe's to judge.
 */
function cannotReadWrite(path: string): string | undefined {
  try {
    Deno.openSync(path, { read: true, write: true }).close();
  } catch (error) {
    if (isAccessError(error)) return `no read/write access to ${path} (${codeOf(error)})`;
  }
}

/** `undefined` when a file can be created and removed in `dir`, as SQLite's side files are. */
function cannotCreateIn(dir: string, name: string): string | undefined {
  const probe = join(dir, `.${name}.access-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`);
  try {
    Deno.openSync(probe, { write: true, createNew: true }).close();
  } catch (error) {
    if (isAccessError(error)) return `no write access to ${dir} (${codeOf(error)})`;
    throw error;
  }
  Deno.removeSync(probe);
}

/**
 * Check that this process may use the store at `path` the way Deno KV does: read and write the
 * file and its `-wal`/`-shm` side files, and create files in its directory. The check makes
 * the system calls themselves (mode bits alone would pass root on a read-only mount). Returns
 * what is missing, or `undefined`.
 */
export function missingAccess(path: string): string | undefined {
  return cannotCreateIn(dirname(path), basename(path)) ??
    cannotReadWrite(path) ??
    cannotReadWrite(`${path}-wal`) ??
    cannotReadWrite(`${path}-shm`);
}
