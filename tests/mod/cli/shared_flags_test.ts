import { assertEquals } from "@std/assert";
import { defineCommand, listenAddrFlag, runCommandLine } from "../../../mod/cli/mod.ts";

const command = defineCommand({
  name: "svc",
  summary: "test",
  flags: { addr: listenAddrFlag({ default: ":9093" }) },
  run: ({ flags, out }) => {
    out(flags.addr);
  },
});

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCommandLine(command, argv, {
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
