/**
 * Run `deno` as an unprivileged user, so that permission tests see what an operator's service
 * user sees (root passes every mode bit). Under root: `setpriv` to `nobody`, with a hard link
 * to the deno binary in a world-readable directory (the installed one may sit under a home
 * directory `nobody` cannot enter) and a `DENO_DIR` it may write. Not root: run as we are.
 */
import { tempDir } from "./temp_dir.ts";

/** A way to run `deno` without root's privileges. */
export interface Unprivileged extends AsyncDisposable {
  /** The program and words before deno's own arguments. */
  command: string[];
  /** Environment for the child (its `DENO_DIR`, `HOME`). */
  env: Record<string, string>;
  /** Numeric uid/gid the child runs as, for `chown` of the files it must own. */
  uid: number;
  /** See {@linkcode Unprivileged.uid}. */
  gid: number;
}

const NOBODY = 65534;

/** Prepare to run `deno` unprivileged; dispose to remove the helper directory. */
export async function asNobody(): Promise<Unprivileged> {
  if (Deno.uid() !== 0) {
    return {
      command: [Deno.execPath()],
      env: {},
      uid: Deno.uid()!,
      gid: Deno.gid()!,
      async [Symbol.asyncDispose]() {},
    };
  }
  const dir = await tempDir("skywire-nobody-");
  await Deno.chmod(dir.path, 0o755);
  const deno = `${dir.path}/deno`;
  const real = await Deno.realPath(Deno.execPath());
  try {
    await Deno.link(real, deno);
  } catch {
    await Deno.copyFile(real, deno);
    await Deno.chmod(deno, 0o755);
  }
  const home = `${dir.path}/home`;
  await Deno.mkdir(home);
  await Deno.chown(home, NOBODY, NOBODY);
  return {
    command: ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--", deno],
    env: { HOME: home, DENO_DIR: `${home}/deno_dir`, DENO_NO_UPDATE_CHECK: "1" },
    uid: NOBODY,
    gid: NOBODY,
    [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose](),
  };
}

/** `chown -R` to the unprivileged user and open the path's parents for traversal. */
export async function handTo(user: Unprivileged, path: string): Promise<void> {
  await new Deno.Command("chown", { args: ["-R", `${user.uid}:${user.gid}`, path] }).output();
  // Temp dirs are 0700 by default; the unprivileged user must be able to reach inside.
  for (let p = path; p !== "/" && p.startsWith("/tmp/"); p = p.slice(0, p.lastIndexOf("/"))) {
    const info = await Deno.stat(p);
    if (info.uid === 0) await Deno.chmod(p, (info.mode! & 0o7777) | 0o011);
  }
}
