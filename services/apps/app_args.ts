import { parseDuration } from "../../mod/config/mod.ts";

/** The kinds of value an app flag takes. */
export type AppFlagKind = "string" | "boolean" | "integer" | "duration";

/** The values parsed: strings, booleans, integers, and durations in milliseconds. */
export type AppFlagValues = Record<string, string | boolean | number | undefined>;

/** An app's arguments could not be read. */
export class AppArgsError extends Error {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "AppArgsError";
  }
}

/**
 * Read app arguments the way Go's `flag` package does, since `launcher.apps[].args` are written
 * for Go apps: `-name value`, `--name value`, `-name=value`; a boolean is `-name` or
 * `-name=false`. An unknown flag, a missing or bad value, or a stray argument throws
 * {@linkcode AppArgsError}.
 */
export function parseAppArgs(
  args: readonly string[],
  spec: Readonly<Record<string, AppFlagKind>>,
): AppFlagValues {
  const out: AppFlagValues = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const match = arg.match(/^--?([^=-][^=]*)(?:=(.*))?$/s);
    if (!match) throw new AppArgsError(`unexpected argument "${arg}"`);
    const [, name, inline] = match;
    const kind = spec[name];
    if (!kind) throw new AppArgsError(`unknown flag -${name}`);
    if (kind === "boolean") {
      if (inline === undefined) out[name] = true;
      else if (/^(1|t|true|TRUE|True)$/.test(inline)) out[name] = true;
      else if (/^(0|f|false|FALSE|False)$/.test(inline)) out[name] = false;
      else throw new AppArgsError(`invalid boolean "${inline}" for -${name}`);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= args.length) throw new AppArgsError(`flag -${name} needs a value`);
      value = args[++i];
    }
    if (kind === "string") out[name] = value;
    else if (kind === "integer") {
      if (!/^-?\d+$/.test(value)) throw new AppArgsError(`invalid integer "${value}" for -${name}`);
      out[name] = Number(value);
    } else {
      const ms = parseDuration(value);
      if (ms === undefined || ms < 0) {
        throw new AppArgsError(`invalid duration "${value}" for -${name}`);
      }
      out[name] = ms;
    }
  }
  return out;
}
