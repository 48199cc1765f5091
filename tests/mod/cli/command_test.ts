import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import {
  booleanFlag,
  type Command,
  configFlag,
  defineCommand,
  durationValue,
  integerValue,
  jsonFlag,
  lazyCommand,
  listFlag,
  logLevelFlag,
  oneOfValue,
  portValue,
  runCommandLine,
  stringFlag,
  UsageError,
  valueFlag,
} from "../../../mod/cli/mod.ts";

async function run(command: Command, argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCommandLine(command, argv, {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, out, err };
}

Deno.test("a repeatable string flag collects every value in order", async () => {
  let seen: string[] | undefined;
  const command = defineCommand({
    name: "t",
    summary: "test",
    flags: { header: listFlag({ short: "H", description: "header" }) },
    run: ({ flags }) => {
      seen = flags.header;
    },
  });
  assertEquals((await run(command, ["-H", "A: 1", "--header", "B: 2", "-H", "C: 3"])).code, 0);
  assertEquals(seen, ["A: 1", "B: 2", "C: 3"]);
  assertEquals((await run(command, [])).code, 0);
  assertEquals(seen, []);
  const empty = await run(command, ["-H", "A: 1", "-H"]);
  assertEquals(empty.code, 2);
  assertEquals(empty.err, ["t: flag --header needs a value"]);
});

Deno.test("subcommands, unknown commands and argument counts", async () => {
  const leaf = defineCommand({
    name: "leaf",
    summary: "leaf",
    args: { min: 1, max: 1 },
    run: ({ args, out }) => out(args[0]),
  });
  const root: Command = { name: "root", summary: "root", subcommands: [leaf] };
  assertEquals((await run(root, ["leaf", "x"])).out, ["x"]);
  assertEquals((await run(root, ["nope"])).code, 2);
  assertEquals((await run(root, ["leaf"])).err, [
    "root leaf: want 1 argument(s), got 0 (see 'root leaf --help')",
  ]);
  assertEquals((await run(root, [])).code, 2);
});

Deno.test("a lazy command is loaded only when chosen, and a failed load is one line", async () => {
  const loads: string[] = [];
  const lazy = (name: string, fail = false) =>
    lazyCommand(name, `${name} summary`, () => {
      loads.push(name);
      if (fail) return Promise.reject(new Error("module not found"));
      return Promise.resolve(defineCommand({
        name,
        summary: `${name} summary`,
        flags: { n: valueFlag({ description: "n", parse: integerValue(0), default: 1 }) },
        run: ({ flags, out }) => out(`${name} ${flags.n}`),
      }));
    });
  const root: Command = {
    name: "root",
    summary: "root",
    subcommands: [lazy("a"), lazy("b"), lazy("broken", true)],
  };
  const help = await run(root, ["--help"]);
  assertStringIncludes(help.out.join("\n"), "  b       b summary");
  assertEquals(loads, []);
  assertEquals((await run(root, ["b", "--n", "7"])).out, ["b 7"]);
  assertEquals(loads, ["b"]);
  assertStringIncludes((await run(root, ["a", "--help"])).out.join("\n"), "--n VALUE");
  const broken = await run(root, ["broken"]);
  assertEquals([broken.code, broken.err], [1, ["root broken: cannot load: module not found"]]);
});

Deno.test("typed flags arrive parsed, with their defaults when absent", async () => {
  let seen: unknown;
  const command = defineCommand({
    name: "t",
    summary: "test",
    flags: {
      port: valueFlag({ description: "port", parse: portValue, default: 9090 }),
      hops: valueFlag({ description: "hops", parse: integerValue(0, 10) }),
      mode: valueFlag({ description: "mode", parse: oneOfValue(["a", "b"]), default: "a" }),
      name: stringFlag({ description: "name" }),
      "log-level": logLevelFlag({ default: "info" }),
      json: jsonFlag(),
      config: configFlag(),
      quiet: booleanFlag({ short: "q", description: "quiet" }),
    },
    run: ({ flags }) => {
      // Typed: no casts; a number stays a number, a word one of its values.
      const port: number = flags.port;
      const hops: number | undefined = flags.hops;
      const mode: "a" | "b" = flags.mode;
      // @ts-expect-error a flag without a default may be absent
      const name: string = flags.name;
      void name;
      seen = { ...flags, port, hops, mode };
    },
  });
  assertEquals((await run(command, [])).code, 0);
  assertEquals(seen, {
    port: 9090,
    hops: undefined,
    mode: "a",
    name: undefined,
    "log-level": "info",
    json: false,
    config: undefined,
    quiet: false,
  });
  const given = await run(command, [
    "--port=80",
    "--hops",
    "3",
    "--mode",
    "b",
    "--name",
    "x",
    "--log-level",
    "WARNING",
    "--json",
    "-c",
    "f.json",
    "-q",
  ]);
  assertEquals(given.code, 0, given.err.join("\n"));
  assertEquals(seen, {
    port: 80,
    hops: 3,
    mode: "b",
    name: "x",
    "log-level": "warn",
    json: true,
    config: "f.json",
    quiet: true,
  });
});

Deno.test("a flag its parser refuses is misuse: exit 2, one line naming the flag", async () => {
  let ran = false;
  const command = defineCommand({
    name: "t",
    summary: "test",
    flags: {
      port: valueFlag({ description: "port", parse: portValue, default: 9090 }),
      hops: valueFlag({ description: "hops", parse: integerValue(0, 10) }),
      "log-level": logLevelFlag(),
    },
    run: () => {
      ran = true;
    },
  });
  for (
    const [argv, reason] of [
      [["--port", "70000"], '--port wants a port number, got "70000"'],
      [["--hops", "11"], '--hops wants a whole number 0..10, got "11"'],
      [["--hops", "x"], '--hops wants a whole number 0..10, got "x"'],
      [["--log-level", "loud"], 'unknown log level "loud"'],
    ]
  ) {
    const result = await run(command, argv as string[]);
    assertEquals(result.code, 2, String(argv));
    assertEquals(result.err, [`t: ${reason} (see 't --help')`]);
  }
  assertEquals(ran, false);
});

Deno.test("--help lists every flag with its value name and default", async () => {
  const command = defineCommand({
    name: "t",
    summary: "test",
    flags: {
      port: valueFlag({ valueName: "PORT", description: "port", parse: portValue, default: 9 }),
      config: configFlag({ default: "skywire-config.json" }),
    },
    run: () => {},
  });
  const help = await run(command, ["--help"]);
  assertEquals(help.code, 0);
  const text = help.out.join("\n");
  assertStringIncludes(text, "Usage: t [flags]");
  assertStringIncludes(text, "--port PORT");
  assertStringIncludes(text, "port (default 9)");
  assertStringIncludes(text, "-c, --config FILE");
  assertStringIncludes(text, "(default skywire-config.json)");
  assertStringIncludes(text, "-h, --help");
});

Deno.test("durationValue takes Go durations in ms and refuses the rest with a usage error", () => {
  assertEquals(durationValue("90s", "--entry-timeout"), 90_000);
  assertEquals(durationValue("1h30m", "--entry-timeout"), 5_400_000);
  assertEquals(durationValue("0", "--entry-timeout"), 0);
  for (const bad of ["", "5", "-5m", "soon", "5 m"]) {
    assertThrows(() => durationValue(bad, "--entry-timeout"), UsageError, "--entry-timeout", bad);
  }
});
