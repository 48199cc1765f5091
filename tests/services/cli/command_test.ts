import { assertEquals } from "@std/assert";
import { type Command, runCommandLine } from "../../../services/cli/command.ts";

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
  let seen: unknown;
  const command: Command = {
    name: "t",
    summary: "test",
    flags: [{ name: "header", short: "H", type: "string", description: "header", multiple: true }],
    run: ({ flags }) => {
      seen = flags.header;
    },
  };
  assertEquals((await run(command, ["-H", "A: 1", "--header", "B: 2", "-H", "C: 3"])).code, 0);
  assertEquals(seen, ["A: 1", "B: 2", "C: 3"]);
  assertEquals((await run(command, [])).code, 0);
  assertEquals(seen, undefined);
  const empty = await run(command, ["-H", "A: 1", "-H"]);
  assertEquals(empty.code, 2);
  assertEquals(empty.err, ["t: flag --header needs a value"]);
});

Deno.test("subcommands, unknown commands and argument counts", async () => {
  const leaf: Command = {
    name: "leaf",
    summary: "leaf",
    args: { min: 1, max: 1 },
    run: ({ args, out }) => out(args[0]),
  };
  const root: Command = { name: "root", summary: "root", subcommands: [leaf] };
  assertEquals((await run(root, ["leaf", "x"])).out, ["x"]);
  assertEquals((await run(root, ["nope"])).code, 2);
  assertEquals((await run(root, ["leaf"])).err, [
    "root leaf: want 1 argument(s), got 0 (see 'root leaf --help')",
  ]);
  assertEquals((await run(root, [])).code, 2);
});
