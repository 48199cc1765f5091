import { assertEquals } from "@std/assert";
import { parseArgs } from "@std/cli";

Deno.test("parseArgs handles strings, booleans, aliases and positionals like @std/cli", () => {
  const args = parseArgs(["-o", "out.json", "--cascade", "gen", "--min-hops=2", "x"], {
    string: ["output", "min-hops"],
    boolean: ["cascade", "stdout"],
    alias: { o: "output" },
  });
  assertEquals(args.output, "out.json");
  assertEquals(args.o, "out.json");
  assertEquals(args.cascade, true);
  assertEquals(args.stdout, false);
  assertEquals(args["min-hops"], "2");
  assertEquals(args._, ["gen", "x"]);
});

Deno.test("parseArgs applies defaults only to absent flags", () => {
  const args = parseArgs(["--name", "b"], {
    string: ["name", "other"],
    default: { name: "a", other: "z" },
  });
  assertEquals(args.name, "b");
  assertEquals(args.other, "z");
});

Deno.test("parseArgs supports negatable, collect, stopEarly and --", () => {
  assertEquals(
    parseArgs(["--no-color"], { boolean: ["color"], negatable: ["color"] }).color,
    false,
  );
  assertEquals(parseArgs(["-t", "a", "-t", "b"], { string: ["t"], collect: ["t"] }).t, ["a", "b"]);
  assertEquals(parseArgs(["run", "--x"], { stopEarly: true })._, ["run", "--x"]);
  const dashed = parseArgs(["a", "--", "--b"], { "--": true });
  assertEquals(dashed._, ["a"]);
  assertEquals(dashed["--"], ["--b"]);
});

Deno.test("parseArgs reports undeclared flags through unknown", () => {
  const seen: string[] = [];
  parseArgs(["--bogus", "-q"], { unknown: (arg) => (seen.push(arg), false) });
  assertEquals(seen, ["--bogus", "-q"]);
});

Deno.test("parseArgs turns numeric positionals into numbers like std", () => {
  assertEquals(parseArgs(["12", "abc"])._, [12, "abc"]);
});
