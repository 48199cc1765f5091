/**
 * The "try it" command `skywire up` prints runs exactly as printed, in the form that matches
 * how the node was started: `deno task skywire ...` for `deno task`, and for the README's
 * audience (only Node.js/npm, no `deno` and no `skywire` on PATH)
 * `npx -y deno@VERSION task skywire ...`. The `deno run` form is covered in up_cli_test.ts,
 * the compiled-binary form in tests/mod/launch (no compiled binary is built in tests).
 */
import { assertEquals } from "@std/assert";
import { join } from "node:path";
import { tempDir } from "../_util/temp_dir.ts";
import { REPO_ROOT, shell, startUp } from "./_skywire.ts";

function isExecutable(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** The environment of a fresh terminal that has Node.js/npm but no Deno on PATH. */
function npmOnlyEnv(): Record<string, string> {
  const env = Deno.env.toObject();
  for (const key of Object.keys(env)) {
    // Left by a launcher above this test run (npx, deno task), not by a terminal.
    if (/^npm_/i.test(key) || key === "INIT_CWD") delete env[key];
  }
  env.PATH = (env.PATH ?? "").split(":").filter((dir) => !isExecutable(join(dir, "deno")))
    .join(":");
  return env;
}

const npxFound = (Deno.env.get("PATH") ?? "").split(":").some((dir) =>
  isExecutable(join(dir, "npx"))
);

/** The `deno run ... main.ts up` process under a launcher (deno task, npx): Linux /proc. */
function nodeProcess(root: number): number {
  const children = new Map<number, number[]>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry.name)]);
    } catch {
      // Exited while we looked.
    }
  }
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    const argv = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0");
    if (argv.includes("run") && argv.some((word) => word.endsWith("main.ts"))) return pid;
    queue.push(...(children.get(pid) ?? []));
  }
  throw new Error(`no deno run main.ts under pid ${root}`);
}

/** Start `up` under `launcher`, run the printed command as printed, stop the node. */
async function tryItAs(launcher: string[], env?: Record<string, string>) {
  await using dir = await tempDir();
  const { up, info } = await startUp(join(dir.path, "data"), { launcher, cwd: REPO_ROOT, env });
  await using _up = up;
  const result = await shell(info.try, { cwd: info.try_dir ?? undefined, env });
  assertEquals(result.code, 0, result.stderr);
  assertEquals(JSON.parse(result.stdout).pk, info.visor.pk);
  // Launchers do not all pass a signal on (npm exec does not): Ctrl-C reaches the whole
  // process group in a terminal; here the node itself gets it, and its launchers follow it out.
  Deno.kill(nodeProcess(up.pid), "SIGINT");
  assertEquals(await up.exit(), 0, up.stderr.join("\n"));
  return info;
}

Deno.test({
  name: "skywire up under `deno task`: prints `deno task skywire dmsg curl ...` that works",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const info = await tryItAs([Deno.execPath(), "task", "skywire"]);
    const deno = info.try.slice(0, info.try.indexOf(" task skywire "));
    assertEquals(
      info.try,
      `${deno} task skywire dmsg curl -d ${info.discovery} ${info.health_url}`,
    );
    assertEquals(info.try_dir, REPO_ROOT);
  },
});

Deno.test({
  name: "skywire up under `npx deno task` with no deno on PATH: the npx command works",
  ignore: Deno.build.os !== "linux" || !npxFound,
  fn: async () => {
    const npx = ["npx", "-y", `deno@${Deno.version.deno}`];
    const info = await tryItAs([...npx, "task", "skywire"], npmOnlyEnv());
    assertEquals(
      info.try,
      `${npx.join(" ")} task skywire dmsg curl -d ${info.discovery} ${info.health_url}`,
    );
    assertEquals(info.try_dir, REPO_ROOT);
  },
});
