/**
 * The chain of parent processes on Linux, read from `/proc`: how this process was started
 * (`deno task`, `npx`, a shell) shows there even when the environment was inherited from
 * an unrelated launcher higher up.
 */

/** How many ancestors are read at most: launchers sit within three levels of the node. */
const MAX_ANCESTORS = 4;

function parentOf(pid: number): number | undefined {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // The command name (field 2) may hold spaces and parentheses; fields resume after the last ")".
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ppid = Number(rest[1]);
  return Number.isInteger(ppid) && ppid > 1 ? ppid : undefined;
}

function commandLineOf(pid: number): string[] {
  return Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").filter((part) => part !== "");
}

/**
 * The command lines of this process's parent, grandparent, ... (nearest first), or
 * `undefined` where `/proc` cannot be read (not Linux, or no read permission).
 */
export function readAncestors(pid: number = Deno.pid): string[][] | undefined {
  if (Deno.build.os !== "linux") return undefined;
  try {
    const chain: string[][] = [];
    let current = parentOf(pid);
    while (current !== undefined && chain.length < MAX_ANCESTORS) {
      chain.push(commandLineOf(current));
      current = parentOf(current);
    }
    return chain;
  } catch {
    // A parent that exited while we read is the end of the chain we can know.
    return undefined;
  }
}
