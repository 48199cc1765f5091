import { assert, assertEquals } from "@std/assert";
import {
  type Command,
  dataDirFlag,
  defineCommand,
  entryTimeoutFlag,
  listenAddrFlag,
  runCommandLine,
} from "../../../mod/cli/mod.ts";

const command = defineCommand({
  name: "svc",
  summary: "test",
  flags: { addr: listenAddrFlag({ default: ":9093" }) },
  run: ({ flags, out }) => {
    out(flags.addr);
  },
});

async function run(argv: string[], which: Command = command) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCommandLine(which, argv, {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, out, err };
}

Deno.test("listenAddrFlag: host:port as given, the default when absent, -a for short", async () => {
  assertEquals(await run([]), { code: 0, out: [":9093"], err: [] });
  assertEquals(await run(["--addr", "127.0.0.1:0"]), { code: 0, out: ["127.0.0.1:0"], err: [] });
  assertEquals(await run(["-a", ":1"]), { code: 0, out: [":1"], err: [] });
});

Deno.test("listenAddrFlag: anything but host:port is misuse (exit 2) before the command runs", async () => {
  for (const bad of ["nonsense", "127.0.0.1", "127.0.0.1:99999", "[::1"]) {
    const result = await run(["--addr", bad]);
    assertEquals(result.code, 2, bad);
    assertEquals(result.out, [], bad);
    assertEquals(result.err, [`svc: invalid --addr "${bad}" (want host:port) (see 'svc --help')`]);
  }
});

const store = defineCommand({
  name: "svc",
  summary: "test",
  flags: {
    data: dataDirFlag({ default: "svc-data" }),
    "entry-timeout": entryTimeoutFlag({
      record: "an entry",
      refresh: "a refresh",
      removed: "gone",
    }),
  },
  run: ({ flags, out }) => {
    out(`${flags.data} ${flags["entry-timeout"]}`);
  },
});

Deno.test("dataDirFlag and entryTimeoutFlag: defaults, Go durations in ms, bad durations are misuse", async () => {
  const runStore = (argv: string[]) => run(argv, store);
  assertEquals((await runStore([])).out, ["svc-data undefined"]);
  assertEquals((await runStore(["--data", "d", "--entry-timeout", "90s"])).out, ["d 90000"]);
  assertEquals((await runStore(["--entry-timeout", "0"])).out, ["svc-data 0"]);
  assertEquals((await runStore(["--entry-timeout", "soon"])).code, 2);
  const help = await runStore(["--help"]);
  assert(help.out.join("\n").includes("how long an entry lives without a refresh (0: until gone"));
});
