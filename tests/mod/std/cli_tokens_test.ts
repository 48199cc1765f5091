import { parseArgs as nodeParseArgs } from "node:util";
import { assertEquals } from "@std/assert";
import { tokenize } from "../../../mod/std/cli/_tokens.ts";
import { Prng } from "../../_util/prng.ts";

// Flag names, and command-line words around the edges of the syntax: lone and doubled dashes,
// groups, inline values, "=" in odd places, negatives, empty words, non-ASCII.
const NAMES = ["a", "b", "o", "x", "v", "h", "d", "output", "flag", "no-flag", "data", "ab", "é"];
const WORDS = [
  ...["-", "--", "---", "-a", "-ab", "-ao", "-oa", "-ofile", "-o=x", "-xo", "-abx", "-vvv"],
  ...["--output", "--output=x", "--output=", "--=x", "--a=b=c", "---x", "-=", "=", "--o"],
  ...["--no-flag", "--flag=false", "--flag", "--data", "--ab", "-o-", "-1", "-é", "--é"],
  ...["x", "", "file.txt", "a b", "-h"],
];

Deno.test("tokenize splits 20,000 random command lines exactly as node:util parseArgs does", () => {
  const prng = new Prng(0x70c5);
  for (let i = 0; i < 20_000; i++) {
    const options: Record<string, { type: "string" | "boolean" }> = {};
    for (const name of NAMES) {
      if (prng.int(3) > 0) options[name] = { type: prng.int(2) ? "string" : "boolean" };
    }
    const args = Array.from(
      { length: prng.int(7) },
      () =>
        prng.int(5) === 0
          ? `-${prng.pick(NAMES)}${prng.int(2) ? "" : prng.pick(WORDS)}`
          : prng.pick(WORDS),
    );
    const { tokens } = nodeParseArgs({
      args,
      options,
      strict: false,
      allowPositionals: true,
      tokens: true,
    });
    const got = tokenize(
      args,
      (name) => Object.hasOwn(options, name) && options[name].type === "string",
    );
    assertEquals(got, tokens, JSON.stringify({ args, options }));
  }
});
