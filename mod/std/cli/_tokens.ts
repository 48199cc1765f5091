/**
 * One command-line token, with the fields and values `node:util` `parseArgs` gives with
 * `{ strict: false, allowPositionals: true, tokens: true }` and options declared without
 * `short` (each short form is an option of its own).
 */
export type Token =
  | { kind: "positional"; index: number; value: string }
  | {
    kind: "option";
    name: string;
    rawName: string;
    index: number;
    value: string | undefined;
    inlineValue: boolean | undefined;
  }
  | { kind: "option-terminator"; index: number };

/**
 * Split `args` into tokens exactly as `node:util` `parseArgs` does in that mode (its
 * algorithm, so that switching did not change how any command line parses; a test compares
 * the two on random command lines), without loading Deno's Node compatibility layer at every
 * start (~10 ms here). `takesValue(name)` says whether the flag `name` (a long name or a
 * single letter) takes a string value.
 */
export function tokenize(args: readonly string[], takesValue: (name: string) => boolean): Token[] {
  const tokens: Token[] = [];
  const remaining = args.slice();
  let index = -1;
  let groupCount = 0;
  while (remaining.length > 0) {
    const arg = remaining.shift()!;
    const next = remaining[0];
    if (groupCount > 0) groupCount--;
    else index++;

    if (arg === "--") {
      tokens.push({ kind: "option-terminator", index });
      for (const value of remaining) tokens.push({ kind: "positional", index: ++index, value });
      break;
    }
    // -f or --name, each followed by its value when it takes one (whatever that word is).
    const lone = (name: string) => {
      const value = takesValue(name) && next !== undefined ? remaining.shift() : undefined;
      const inlineValue = value === undefined ? undefined : false;
      tokens.push({ kind: "option", name, rawName: arg, index, value, inlineValue });
      if (value !== undefined) index++;
    };
    const short = arg.length >= 2 && arg[0] === "-" && arg[1] !== "-";
    if (short && arg.length === 2) {
      lone(arg.charAt(1));
      continue;
    }
    if (short && !takesValue(arg.charAt(1))) {
      // -abc: -a -b -c, where a letter taking a value takes the rest (-abfFILE: -a -b -fFILE)
      const expanded: string[] = [];
      for (let at = 1; at < arg.length; at++) {
        const letter = arg.charAt(at);
        if (!takesValue(letter) || at === arg.length - 1) expanded.push(`-${letter}`);
        else {
          expanded.push(`-${arg.slice(at)}`);
          break;
        }
      }
      remaining.unshift(...expanded);
      groupCount = expanded.length;
      continue;
    }
    if (short) {
      // -fVALUE
      const name = arg.charAt(1);
      tokens.push({
        kind: "option",
        name,
        rawName: `-${name}`,
        index,
        value: arg.slice(2),
        inlineValue: true,
      });
      continue;
    }
    if (arg.length > 2 && arg.startsWith("--")) {
      const equals = arg.indexOf("=", 3);
      if (equals < 0) {
        lone(arg.slice(2));
        continue;
      }
      // --name=VALUE (the name is up to the first "=", which may come before position 3)
      const first = arg.indexOf("=");
      const name = arg.slice(2, first);
      tokens.push({
        kind: "option",
        name,
        rawName: `--${name}`,
        index,
        value: arg.slice(first + 1),
        inlineValue: true,
      });
      continue;
    }
    tokens.push({ kind: "positional", index, value: arg });
  }
  return tokens;
}
