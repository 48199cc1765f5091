import { parseDuration } from "../config/duration.ts";
import { httpUrlProblem } from "../netutil/mod.ts";
import { UsageError } from "./errors.ts";

/** How a flag is written: a switch, a flag with a value, or a flag with a value that repeats. */
export type FlagKind = "boolean" | "string" | "list";

/**
 * A flag a command accepts, declared once with the type `T` its `run` receives. Make one with
 * {@linkcode booleanFlag}, {@linkcode stringFlag}, {@linkcode listFlag} or {@linkcode valueFlag}.
 */
export interface Flag<T> {
  /** How it is written on the command line. */
  readonly kind: FlagKind;
  /** One-letter short form. */
  readonly short?: string;
  /** One line for `--help`. */
  readonly description: string;
  /** Name of the value in `--help` (e.g. FILE). */
  readonly valueName?: string;
  /** The default as `--help` shows it. */
  readonly defaultText?: string;
  /**
   * Turn what was given (`undefined` when absent; a list for `list` flags) into the value.
   * Throws {@linkcode UsageError} for text it cannot use; `flag` is the long form, `--name`.
   */
  readonly read: (given: unknown, flag: string) => T;
}

/** Turns a flag's text into its value; throws {@linkcode UsageError} naming `flag` on bad text. */
export type FlagParser<T> = (text: string, flag: string) => T;

/** What every flag declares. */
export interface FlagOptions {
  /** One line for `--help`. */
  description: string;
  /** One-letter short form. */
  short?: string;
}

/** What a flag with a value declares. */
export interface ValueFlagOptions extends FlagOptions {
  /** Name of the value in `--help` (default VALUE). */
  valueName?: string;
}

/** A switch: `true` when given, else `false`. */
export function booleanFlag(options: FlagOptions): Flag<boolean> {
  return { ...options, kind: "boolean", read: (given) => given === true };
}

/** A flag with a text value; with a default it is always a string. */
export function stringFlag(options: ValueFlagOptions & { default: string }): Flag<string>;
/** A flag with a text value; `undefined` when absent. */
export function stringFlag(options: ValueFlagOptions): Flag<string | undefined>;
export function stringFlag(
  options: ValueFlagOptions & { default?: string },
): Flag<string | undefined> {
  const { default: fallback, ...rest } = options;
  return {
    ...rest,
    kind: "string",
    defaultText: fallback,
    read: (given) => typeof given === "string" ? given : fallback,
  };
}

/** A flag with a text value that may repeat; its values in order (empty when absent). */
export function listFlag(options: ValueFlagOptions): Flag<string[]> {
  return {
    ...options,
    kind: "list",
    read: (given) => Array.isArray(given) ? given.map(String) : [],
  };
}

/** A flag whose text `parse` turns into a `T`; with a default it always has a value. */
export function valueFlag<T>(
  options: ValueFlagOptions & {
    parse: FlagParser<T>;
    default: NoInfer<T>;
    defaultText?: string;
  },
): Flag<T>;
/** A flag whose text `parse` turns into a `T`; `undefined` when absent. */
export function valueFlag<T>(
  options: ValueFlagOptions & { parse: FlagParser<T> },
): Flag<T | undefined>;
export function valueFlag<T>(
  options: ValueFlagOptions & { parse: FlagParser<T>; default?: T; defaultText?: string },
): Flag<T | undefined> {
  const { parse, default: fallback, defaultText, ...rest } = options;
  return {
    ...rest,
    kind: "string",
    defaultText: defaultText ?? (fallback === undefined ? undefined : String(fallback)),
    read: (given, flag) => typeof given === "string" ? parse(given, flag) : fallback,
  };
}

/** The same flag with its own `--help` line (a shared flag in a command that says more). */
export function withDescription<T>(flag: Flag<T>, description: string): Flag<T> {
  return { ...flag, description };
}

/** Parser for a TCP port, 0..65535. */
export const portValue: FlagParser<number> = (text: string, flag: string): number => {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port > 65535) {
    throw new UsageError(`${flag} wants a port number, got "${text}"`);
  }
  return port;
};

/** Parser for a whole number within `min..max` (`max` unbounded when left out). */
export function integerValue(min: number, max?: number): FlagParser<number> {
  return (text, flag) => {
    const n = Number(text);
    if (!/^-?\d+$/.test(text) || n < min || (max !== undefined && n > max)) {
      const range = max === undefined ? `>= ${min}` : `${min}..${max}`;
      throw new UsageError(`${flag} wants a whole number ${range}, got "${text}"`);
    }
    return n;
  };
}

/** Parser for one of a fixed set of words. */
export function oneOfValue<const V extends string>(values: readonly V[]): FlagParser<V> {
  return (text, flag) => {
    if (!(values as readonly string[]).includes(text)) {
      throw new UsageError(`${flag} must be one of ${values.join(", ")}, got "${text}"`);
    }
    return text as V;
  };
}

/** Parser for an `http://` or `https://` URL; a missing scheme is misuse, not a later failure. */
export const urlValue: FlagParser<string> = (text, flag) => {
  const problem = httpUrlProblem(text);
  if (problem !== undefined) throw new UsageError(`${flag}: ${problem}`);
  return text;
};

/** Parser for a Go duration (`90s`, `5m`, `1h30m`, `0`), in milliseconds; negative refused. */
export const durationValue: FlagParser<number> = (text, flag) => {
  const ms = parseDuration(text);
  if (ms === undefined || ms < 0) {
    throw new UsageError(`${flag} wants a duration like 90s or 5m, got "${text}"`);
  }
  return ms;
};
