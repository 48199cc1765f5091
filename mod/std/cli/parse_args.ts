import { tokenize } from "./_tokens.ts";

/** Options accepted by {@linkcode parseArgs}, a subset of `@std/cli`'s with the same meaning. */
export interface ParseOptions {
  /** Flags that are always booleans. */
  boolean?: string[];
  /** Flags that always take a string value. */
  string?: string[];
  /** Flags that may repeat; their values are collected into an array. */
  collect?: string[];
  /** Booleans that also accept a `--no-<name>` form. */
  negatable?: string[];
  /** Other names for a flag, e.g. `{ o: "output" }`. */
  alias?: Record<string, string | string[]>;
  /** Values for flags that were not given. */
  default?: Record<string, unknown>;
  /** Stop parsing at the first positional argument; the rest goes to `_`. */
  stopEarly?: boolean;
  /** Put arguments after `--` into `result["--"]` instead of `_`. */
  "--"?: boolean;
  /** Called for a flag that is not declared; return `false` to drop it. */
  unknown?: (arg: string, key?: string, value?: unknown) => unknown;
}

/** The parsed command line. */
export interface Args {
  /** Positional arguments. */
  _: Array<string | number>;
  /** Arguments after `--` when the `"--"` option is set. */
  "--"?: string[];
  // deno-lint-ignore no-explicit-any
  [key: string]: any;
}

const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i;

function positional(arg: string): string | number {
  return NUMBER.test(arg) ? Number(arg) : arg;
}

/**
 * Parse command-line arguments the way `@std/cli` `parseArgs` does.
 *
 * @example
 * ```ts
 * const args = parseArgs(["-o", "x.json", "gen"], { string: ["output"], alias: { o: "output" } });
 * // args.output === "x.json", args._ === ["gen"]
 * ```
 */
export function parseArgs(args: string[], options: ParseOptions = {}): Args {
  const canonical = new Map<string, string>();
  const aliasesOf = new Map<string, string[]>();
  for (const [name, value] of Object.entries(options.alias ?? {})) {
    const list = Array.isArray(value) ? value : [value];
    for (const other of list) {
      canonical.set(other, name);
      aliasesOf.set(name, [...(aliasesOf.get(name) ?? []), other]);
    }
  }
  const nameOf = (key: string) => canonical.get(key) ?? key;
  const booleans = new Set((options.boolean ?? []).map(nameOf));
  const strings = new Set((options.string ?? []).map(nameOf));
  const collect = new Set((options.collect ?? []).map(nameOf));
  const negatable = new Set((options.negatable ?? []).map(nameOf));

  // Every long and short form of a string flag takes a value.
  const valued = new Set<string>();
  for (const name of strings) {
    for (const form of [name, ...(aliasesOf.get(name) ?? [])]) valued.add(form);
  }

  let end = args.length;
  let rest: string[] = [];
  const dashDash = args.indexOf("--");
  if (dashDash >= 0) {
    end = dashDash;
    rest = args.slice(dashDash + 1);
  }
  const head = args.slice(0, end);
  const tokens = tokenize(head, (name) => valued.has(name));

  const result: Args = { _: [] };
  for (const name of booleans) result[name] = false;

  const given = new Set<string>();
  const assign = (name: string, value: unknown) => {
    given.add(name);
    if (collect.has(name)) {
      const list = Array.isArray(result[name]) ? result[name] : [];
      list.push(value);
      result[name] = list;
    } else {
      result[name] = value;
    }
  };

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.kind === "positional") {
      if (options.stopEarly) {
        result._.push(...head.slice(token.index).map(positional));
        break;
      }
      result._.push(positional(token.value));
      continue;
    }
    if (token.kind !== "option") continue;
    const raw = token.name;
    if (raw.startsWith("no-") && negatable.has(nameOf(raw.slice(3)))) {
      assign(nameOf(raw.slice(3)), false);
      continue;
    }
    const name = nameOf(raw);
    if (booleans.has(name)) {
      const value = token.inlineValue ? token.value !== "false" : true;
      assign(name, value);
      continue;
    }
    if (strings.has(name)) {
      if (token.value === undefined) {
        // The tokens leave a trailing string flag without a value; std gives "".
        assign(name, "");
      } else {
        assign(name, token.value);
      }
      continue;
    }
    // Undeclared flag: ask the callback, then take an inline value or a following plain word.
    let value: unknown = token.value ?? true;
    const next = tokens[i + 1];
    if (
      value === true && token.rawName.startsWith("--") && next?.kind === "positional" &&
      !options.stopEarly
    ) {
      value = next.value;
      if (options.unknown?.(token.rawName, name, value) === false) continue;
      i++;
      assign(name, value);
      continue;
    }
    if (options.unknown?.(token.rawName, name, value) === false) continue;
    assign(name, value);
  }

  for (const [key, value] of Object.entries(options.default ?? {})) {
    const name = nameOf(key);
    if (!given.has(name)) result[name] = value;
  }
  for (const [name, others] of aliasesOf) {
    for (const other of others) result[other] = result[name];
  }
  if (options["--"]) result["--"] = rest;
  else result._.push(...rest.map(positional));
  return result;
}
