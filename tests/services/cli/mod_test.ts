import { assertEquals, assertStringIncludes } from "@std/assert";
import { type Command, runCommandLine } from "../../../mod/cli/mod.ts";
import { rootCommand } from "../../../services/cli/mod.ts";

function lazyCommands(command: Command, path: string[] = []): [string, Command][] {
  return (command.subcommands ?? []).flatMap((sub): [string, Command][] => [
    ...(sub.load ? [[[...path, sub.name].join(" "), sub] as [string, Command]] : []),
    ...lazyCommands(sub, [...path, sub.name]),
  ]);
}

Deno.test("every lazily loaded command carries the name and summary its stub shows", async () => {
  const lazy = lazyCommands(rootCommand());
  // up, visor, the services, the updater's and the operator tools: all of them.
  assertEquals(lazy.length, 14);
  for (const [path, stub] of lazy) {
    const loaded = await stub.load!();
    assertEquals([loaded.name, loaded.summary], [stub.name, stub.summary], path);
    assertEquals(loaded.load, undefined, `${path} loads to another stub`);
  }
});

Deno.test("a lazily loaded command runs with its own flags and help", async () => {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
  assertEquals(await runCommandLine(rootCommand(), ["up", "--help"], io), 0);
  assertStringIncludes(out.join("\n"), "--ui-port PORT");
  assertEquals(await runCommandLine(rootCommand(), ["svc", "rf", "--nope"], io), 2);
  assertEquals(err, ["skywire svc rf: unknown flag --nope (see 'skywire svc rf --help')"]);
});
