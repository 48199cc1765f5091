import { parseArgs } from "@std/cli";

/** A flag a command accepts. */
export interface FlagSpec {
  /** Long name, without dashes. */
  name: string;
  /** One-letter short form. */
  short?: string;
  /** `string` flags take a value; `boolean` flags do not. */
  type: "string" | "boolean";
  /** One line for `--help`. */
  description: string;
  /** Name of the value in `--help` (e.g. FILE). */
  valueName?: string;
  /** Default value shown in `--help` and used when absent. */
  default?: string | boolean;
  /** A string flag that may repeat; its values arrive as a list. */
  multiple?: boolean;
}

/** What a command's `run` receives. */
export interface CommandContext {
  /** Positional arguments after the command path. */
  args: string[];
  /** Parsed flags by long name. */
  flags: Record<string, string | boolean | string[] | undefined>;
  /** Write a line to stdout. */
  out: (text: string) => void;
  /** Write a line to stderr. */
  err: (text: string) => void;
}

/** A command or a group of subcommands. */
export interface Command {
  /** Name as typed. */
  name: string;
  /** One line for the parent's `--help`. */
  summary: string;
  /** Usage line after the command path, e.g. `[flags] PK1 PK2`. */
  usage?: string;
  /** Longer help text. */
  description?: string;
  /** Accepted flags. */
  flags?: FlagSpec[];
  /** Positional argument count bounds. */
  args?: { min: number; max: number };
  /** Subcommands (a group). */
  subcommands?: Command[];
  /** Runs the command; resolves to the exit code (default 0). */
  run?: (ctx: CommandContext) => Promise<number | void> | number | void;
}

/** Misuse of the command line: exit code 2 and a one-line reason. */
export class UsageError extends Error {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A command a later release fills in; exits 2 with a plain reason and no fake output. */
export function notYetAvailable(name: string, summary: string, subcommands?: Command[]): Command {
  return {
    name,
    summary,
    subcommands,
    run: ({ err }) => {
      err(`skywire ${name}: not yet available in this build`);
      return 2;
    },
  };
}

const HELP_FLAG: FlagSpec = { name: "help", short: "h", type: "boolean", description: "show help" };

function helpText(path: string[], command: Command): string {
  const lines: string[] = [];
  const full = path.join(" ");
  lines.push(`${command.summary}`, "");
  const usage = command.subcommands?.length && !command.run
    ? `${full} COMMAND`
    : `${full}${command.usage ? " " + command.usage : command.flags?.length ? " [flags]" : ""}`;
  lines.push(`Usage: ${usage}`);
  if (command.description) lines.push("", command.description);
  if (command.subcommands?.length) {
    lines.push("", "Commands:");
    const width = Math.max(...command.subcommands.map((c) => c.name.length));
    for (const sub of command.subcommands) {
      lines.push(`  ${sub.name.padEnd(width)}  ${sub.summary}`);
    }
  }
  const flags = [...(command.flags ?? []), HELP_FLAG];
  lines.push("", "Flags:");
  const shown = flags.map((f) => {
    const short = f.short ? `-${f.short}, ` : "    ";
    const value = f.type === "string" ? ` ${f.valueName ?? "VALUE"}` : "";
    return [
      `  ${short}--${f.name}${value}`,
      f.description +
      (f.default !== undefined && f.default !== false ? ` (default ${f.default})` : ""),
    ];
  });
  const width = Math.max(...shown.map(([left]) => left.length));
  for (const [left, right] of shown) lines.push(`${left.padEnd(width)}  ${right}`);
  if (command.subcommands?.length) lines.push("", `Run '${full} COMMAND --help' for more.`);
  return lines.join("\n");
}

/**
 * Run the command line `argv` against `root`. Returns the exit code: 0 success, 1 failure,
 * 2 misuse (with a one-line reason on stderr).
 */
export async function runCommandLine(
  root: Command,
  argv: string[],
  io: { out: (t: string) => void; err: (t: string) => void },
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
  }
  const specs = [...(command.flags ?? []), HELP_FLAG];
  let unknown: string | undefined;
  const parsed = parseArgs(rest, {
    string: specs.filter((f) => f.type === "string").map((f) => f.name),
    boolean: specs.filter((f) => f.type === "boolean").map((f) => f.name),
    alias: Object.fromEntries(specs.filter((f) => f.short).map((f) => [f.short!, f.name])),
    collect: specs.filter((f) => f.multiple).map((f) => f.name),
    unknown: (arg: string) => {
      if (arg.startsWith("-") && arg !== "-") {
        unknown ??= arg;
        return false;
      }
      return true;
    },
  });
  const where = path.join(" ");
  if (parsed.help) {
    io.out(helpText(path, command));
    return 0;
  }
  if (unknown) {
    io.err(`${where}: unknown flag ${unknown} (see '${where} --help')`);
    return 2;
  }
  if (!command.run) {
    io.err(`${where}: missing command (see '${where} --help')`);
    return 2;
  }
  const args = parsed._.map(String);
  const bounds = command.args ?? { min: 0, max: 0 };
  if (args.length < bounds.min || args.length > bounds.max) {
    const want = bounds.min === bounds.max ? `${bounds.min}` : `${bounds.min} to ${bounds.max}`;
    io.err(`${where}: want ${want} argument(s), got ${args.length} (see '${where} --help')`);
    return 2;
  }
  const flags: CommandContext["flags"] = {};
  for (const spec of specs) {
    const value = parsed[spec.name];
    if (spec.type === "string" && (value === "" || (Array.isArray(value) && value.includes("")))) {
      io.err(`${where}: flag --${spec.name} needs a value`);
      return 2;
    }
    flags[spec.name] = value ?? spec.default;
  }
  try {
    return (await command.run({ args, flags, out: io.out, err: io.err })) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${where}: ${error.message} (see '${where} --help')`);
      return 2;
    }
    io.err(`${where}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
