/**
 * How a process was started, from parent chains recorded on Linux for each way of starting
 * skywire (`deno run`, `deno task`, `npx deno run`, `npx deno task`, a test runner), and from
 * the environment where `/proc` is not there.
 */
import { assert, assertEquals } from "@std/assert";
import { detectLaunch, isCompiledBinary } from "../../../mod/launch/mod.ts";
import { readAncestors } from "../../../mod/launch/_proc.ts";

const DENO = "/root/.npm/_npx/7a40be787520bede/node_modules/deno/deno";
const MAIN_URL = "file:///home/you/skywire-deno/main.ts";
const base = {
  execPath: DENO,
  mainModule: MAIN_URL,
  env: {},
  denoVersion: "2.9.6",
  denoOnPath: undefined,
};

// Parent chains as `ps`/`/proc` showed them for each launcher (nearest parent first).
const SHELL = ["bash"];
const CHAINS: Record<string, string[][]> = {
  deno_run: [SHELL],
  deno_task: [["deno", "task", "start"], SHELL],
  npx_run: [["sh", "-c", "'deno' run -A main.ts up"], ["npm exec deno@2.9.6 run -A main.ts up"]],
  npx_task: [
    ["deno", "task", "start"],
    ["sh", "-c", "'deno' task start"],
    ["npm exec deno@2.9.6 task start"],
    SHELL,
  ],
};

Deno.test("detectLaunch: the parent chain names each way of starting skywire", () => {
  for (const [kind, ancestors] of Object.entries(CHAINS)) {
    const launch = detectLaunch({ ...base, ancestors });
    assertEquals(launch.kind, kind, JSON.stringify(ancestors));
    assertEquals(launch.mainPath, "/home/you/skywire-deno/main.ts");
    assertEquals(launch.projectDir, "/home/you/skywire-deno");
  }
});

Deno.test("detectLaunch: npm environment inherited through a test runner is not npx", () => {
  // `npx deno task test` -> `deno test` -> `deno run main.ts up`: the npm variables reach us,
  // but the parent is the test runner, so the node was started with `deno run`.
  const env = { npm_lifecycle_event: "npx", npm_config_user_agent: "npm/11 node/v20" };
  const ancestors = [
    ["deno", "test", "-A", "tests/"],
    ["deno", "task", "test"],
    ["sh", "-c", "'deno' task test"],
    ["npm exec deno@2.9.6 task test"],
  ];
  assertEquals(detectLaunch({ ...base, env, ancestors }).kind, "deno_run");
});

Deno.test("detectLaunch: an older npx (node npx-cli.js) counts as npx", () => {
  const ancestors = [["sh", "-c", "deno task start"], [
    "node",
    "/usr/lib/node_modules/npm/bin/npx-cli.js",
    "-y",
    "deno",
  ]];
  assertEquals(detectLaunch({ ...base, ancestors }).kind, "npx_run");
});

Deno.test("detectLaunch: without /proc the environment decides", () => {
  const npx = { npm_lifecycle_event: "npx", npm_command: "exec" };
  const denoTask = { npm_config_user_agent: "deno/2.9.6 npm/? deno/2.9.6 linux x86_64" };
  const detect = (env: Record<string, string>) =>
    detectLaunch({ ...base, env, ancestors: undefined }).kind;
  assertEquals(detect({}), "deno_run");
  assertEquals(detect(denoTask), "deno_task");
  // Under npx, a task runs in the project directory; this test's directory is not it.
  assertEquals(detect(npx), "npx_run");
});

Deno.test("detectLaunch: a compiled binary is itself, whatever its parents", () => {
  const launch = detectLaunch({
    ...base,
    execPath: "/usr/local/bin/skywire",
    mainModule: "file:///tmp/deno-compile-skywire/main.ts",
    ancestors: CHAINS.npx_task,
  });
  assertEquals(launch.kind, "compiled");
  assertEquals(launch.execPath, "/usr/local/bin/skywire");
  assertEquals(launch.mainPath, undefined);
  assert(isCompiledBinary("/opt/skywire", "file:///main.ts"));
  assert(!isCompiledBinary("/usr/bin/deno", "file:///main.ts"));
});

Deno.test("detectLaunch: `deno` is named by name only when PATH finds this very runtime", () => {
  const onPath = detectLaunch({ ...base, ancestors: [SHELL], denoOnPath: DENO });
  assertEquals(onPath.denoCommand, "deno");
  const other = detectLaunch({ ...base, ancestors: [SHELL], denoOnPath: "/usr/bin/deno" });
  assertEquals(other.denoCommand, DENO);
  const none = detectLaunch({ ...base, ancestors: [SHELL], denoOnPath: undefined });
  assertEquals(none.denoCommand, DENO);
});

Deno.test("readAncestors: this process's parent chain, nearest first", {
  ignore: Deno.build.os !== "linux",
}, () => {
  const chain = readAncestors(Deno.pid)!;
  assert(chain.length > 0, "no parents read");
  // Our own parent started us: its command line is not empty.
  assert(chain[0].length > 0);
  // A pid that does not exist has no chain.
  assertEquals(readAncestors(2 ** 22 + 1)?.length ?? 0, 0);
});
