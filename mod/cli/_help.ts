import type { Command } from "./command.ts";
import type { Flag } from "./flags.ts";

/** `--help`, accepted by every command. */
export const HELP_FLAG: Flag<boolean> = {
  kind: "boolean",
  short: "h",
  description: "show help",
  read: (given) => given === true,
};

/** The `--help` text of `command`, reached by the words in `path`. */
export function helpText(path: string[], command: Command): string {
  const lines: string[] = [];
  const full = path.join(" ");
  lines.push(`${command.summary}`, "");
  const flags: [string, Flag<unknown>][] = [
    ...Object.entries(command.flags ?? {}),
    ["help", HELP_FLAG],
  ];
  const usage = command.subcommands?.length && !command.run
    ? `${full} COMMAND`
    : `${full}${command.usage ? " " + command.usage : flags.length > 1 ? " [flags]" : ""}`;
  lines.push(`Usage: ${usage}`);
  if (command.description) lines.push("", command.description);
  if (command.subcommands?.length) {
    lines.push("", "Commands:");
    const width = Math.max(...command.subcommands.map((c) => c.name.length));
    for (const sub of command.subcommands) {
      lines.push(`  ${sub.name.padEnd(width)}  ${sub.summary}`);
    }
  }
  lines.push("", "Flags:");
  const shown = flags.map(([name, flag]) => {
    const short = flag.short ? `-${flag.short}, ` : "    ";
    const value = flag.kind === "boolean" ? "" : ` ${flag.valueName ?? "VALUE"}`;
    const fallback = flag.defaultText !== undefined ? ` (default ${flag.defaultText})` : "";
    return [`  ${short}--${name}${value}`, flag.description + fallback];
  });
  const width = Math.max(...shown.map(([left]) => left.length));
  for (const [left, right] of shown) lines.push(`${left.padEnd(width)}  ${right}`);
  if (command.subcommands?.length) lines.push("", `Run '${full} COMMAND --help' for more.`);
  return lines.join("\n");
}
