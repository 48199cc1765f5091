import { assert } from "@std/assert";

const ROOT = new URL("../../", import.meta.url);

/** Every module `deno info` finds from `entry` (dynamic imports too), with its static imports. */
export async function moduleGraph(entry: URL): Promise<Map<string, string[]>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry.pathname],
    cwd: ROOT.pathname,
    stdout: "piped",
    stderr: "null",
  }).output();
  assert(out.success, "deno info failed");
  const info = JSON.parse(new TextDecoder().decode(out.stdout));
  const graph = new Map<string, string[]>();
  for (
    const module of info.modules as {
      specifier: string;
      dependencies?: { code?: { specifier?: string }; isDynamic?: boolean }[];
    }[]
  ) {
    graph.set(
      module.specifier,
      (module.dependencies ?? []).flatMap((dep) =>
        !dep.isDynamic && dep.code?.specifier ? [dep.code.specifier] : []
      ),
    );
  }
  return graph;
}

/**
 * The modules `entry` imports statically (dynamic imports are not followed), as `deno info`
 * resolves them: file URLs, `npm:` and `node:` specifiers.
 */
export async function staticGraph(entry: URL): Promise<Set<string>> {
  const graph = await moduleGraph(entry);
  const seen = new Set<string>();
  const visit = (specifier: string) => {
    if (seen.has(specifier)) return;
    seen.add(specifier);
    for (const dep of graph.get(specifier) ?? []) visit(dep);
  };
  visit(entry.href);
  return seen;
}
