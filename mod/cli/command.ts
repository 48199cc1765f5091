import { parseArgs } from "@std/cli";
import { HELP_FLAG, helpText } from "./_help.ts";
import { UsageError } from "./errors.ts";
import type { Flag } from "./flags.ts";

/** A command's flags by long name. */
export type FlagMap = Record<string, Flag<unknown>>;

/** The typed values a command's `run` receives for its flags. */
export type FlagValues<F extends FlagMap> = { [K in keyof F]: ReturnType<F[K]["read"]> };

/** What a command's `run` receives. */
export interface CommandContext<V = Record<string, unknown>> {
  /** Positional arguments after the command path. */
  args: string[];
  /** Flag values by long name, typed by their declarations. */
  flags: V;
  /** Write a line to stdout. */
  out: (text: string) => void;
  /** Write a line to stderr. */
  err: (text: string) => void;
}

/** A command or a group of subcommands. */
export interface Command<F extends FlagMap = FlagMap> {
  /** Name as typed. */
  name: string;
  /** One line for the parent's `--help`. */
  summary: string;
  /** Usage line after the command path, e.g. `[flags] PK1 PK2`. */
  usage?: string;
  /** Longer help text. */
  description?: string;
  /** Accepted flags by long name (`--help` is always accepted). */
  flags?: F;
  /** Positional argument count bounds (default none). */
  args?: { min: number; max: number };
  /** Subcommands (a group). */
  subcommands?: Command[];
  /** Runs the command; resolves to the exit code (default 0). */
  run?(ctx: CommandContext<FlagValues<F>>): Promise<number | void> | number | void;
  /**
   * Imports the whole command when it is chosen (see {@linkcode lazyCommand}); until then only
   * `name` and `summary` exist, which is all the parent's `--help` shows.
   */
  load?(): Promise<Command>;
}

/**
 * A command whose module is imported only when the command line chooses it, so a process
 * loads the code of the command it runs and not of every other one. `name` and `summary` are
 * what the parent's `--help` lists; the loaded command must carry the same ones.
 *
 * @example
 * ```ts ignore
 * const up = lazyCommand("up", "run a private network", async () =>
 *   (await import("./up/commands.ts")).upCommand);
 * ```
 */
export function lazyCommand(
  name: string,
  summary: string,
  load: () => Promise<Command>,
): Command {
  return { name, summary, load };
}

/**
 * Declare a command; its `run` gets the flag values typed from `flags`.
 *
 * @example
 * ```ts
 * const hello = defineCommand({
 *   name: "hello",
 *   summary: "greet",
 *   flags: { name: stringFlag({ description: "who", default: "world" }) },
 *   run: ({ flags, out }) => out(`hello ${flags.name}`),
 * });
 * ```
 */
export function defineCommand<F extends FlagMap>(command: Command<F>): Command<F> {
  return command;
}

/** Output of a command line run. */
export interface CommandIo {
  /** Write a line to stdout. */
  out: (text: string) => void;
  /** Write a line to stderr. */
  err: (text: string) => void;
}

/**
 * Run the command line `argv` against `root`. Returns the exit code: 0 success, 1 failure,
 * 2 misuse (with a one-line reason on stderr).
 */
export async function runCommandLine(
  root: Command,
  argv: string[],
  io: CommandIo,
): Promise<number> {
  const path = [root.name];
  let command = root;
  let rest = argv;
  // Walk down subcommands by leading positional words.
  while (command.subcommands?.length && rest.length > 0 && !rest[0].startsWith("-")) {
    const next = command.subcommands.find((c) => c.name === rest[0]);
    if (!next) {
      if (command.run) break;
      io.err(`${path.join(" ")}: unknown command "${rest[0]}" (see '${path.join(" ")} --help')`);
      return 2;
    }
    command = next;
    path.push(next.name);
    rest = rest.slice(1);
    if (command.load) {
      try {
        command = await command.load();
      } catch (error) {
        io.err(`${path.join(" ")}: cannot load: ${error instanceof Error ? error.message : error}`);
        return 1;
      }
    }
  }
  const where = path.join(" ");
  const misuse = (reason: string) => {
    io.err(`${where}: ${reason} (see '${where} --help')`);
    return 2;
  };
  const specs: [string, Flag<unknown>][] = [
    ...Object.entries(command.flags ?? {}),
    ["help", HELP_FLAG],
  ];
  const named = (kinds: string[]) =>
    specs.filter(([, flag]) => kinds.includes(flag.kind)).map(([name]) => name);
  let unknown: string | undefined;
  const parsed = parseArgs(rest, {
    string: named(["string", "list"]),
    boolean: named(["boolean"]),
    alias: Object.fromEntries(
      specs.filter(([, flag]) => flag.short).map(([name, flag]) => [flag.short!, name]),
    ),
    collect: named(["list"]),
    unknown: (arg: string) => {
      if (arg.startsWith("-") && arg !== "-") {
        unknown ??= arg;
        return false;
      }
      return true;
    },
  });
  if (parsed.help) {
    io.out(helpText(path, command));
    return 0;
  }
  if (unknown) return misuse(`unknown flag ${unknown}`);
  if (!command.run) return misuse("missing command");
  const args = parsed._.map(String);
  const bounds = command.args ?? { min: 0, max: 0 };
  if (args.length < bounds.min || args.length > bounds.max) {
    const want = bounds.min === bounds.max ? `${bounds.min}` : `${bounds.min} to ${bounds.max}`;
    return misuse(`want ${want} argument(s), got ${args.length}`);
  }
  try {
    const flags: Record<string, unknown> = {};
    for (const [name, flag] of Object.entries(command.flags ?? {})) {
      const given = parsed[name];
      if (
        flag.kind !== "boolean" && (given === "" || (Array.isArray(given) && given.includes("")))
      ) {
        io.err(`${where}: flag --${name} needs a value`);
        return 2;
      }
      flags[name] = flag.read(given, `--${name}`);
    }
    return (await command.run({ args, flags, out: io.out, err: io.err })) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) return misuse(error.message);
    io.err(`${where}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
