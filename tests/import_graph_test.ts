/**
 * No circular static imports among our modules (a house rule). It also keeps `deno bundle`
 * working: mod/cipher and mod/noise choose their crypto backends with a top-level `await`, and
 * esbuild turns every module on a cycle that reaches one into an async initializer waiting on
 * itself, so the bundle hangs at start ("Top-level await promise never resolved").
 */
import { assertEquals } from "@std/assert";
import { moduleGraph } from "./_util/static_graph.ts";

const ROOT = new URL("../", import.meta.url);

/** The strongly connected components of more than one module (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], onStack = new Set<string>(), found: string[][] = [];
  const visit = (module: string) => {
    index.set(module, next);
    low.set(module, next++);
    stack.push(module);
    onStack.add(module);
    for (const dep of graph.get(module) ?? []) {
      if (!graph.has(dep)) continue;
      if (!index.has(dep)) {
        visit(dep);
        low.set(module, Math.min(low.get(module)!, low.get(dep)!));
      } else if (onStack.has(dep)) {
        low.set(module, Math.min(low.get(module)!, index.get(dep)!));
      }
    }
    if (low.get(module) === index.get(module)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member.replace(ROOT.href, ""));
      } while (member !== module);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const module of graph.keys()) if (!index.has(module)) visit(module);
  return found;
}

Deno.test("main.ts and everything it may load import no module circularly", async () => {
  const graph = await moduleGraph(new URL("main.ts", ROOT));
  const ours = new Map([...graph].filter(([module]) => module.startsWith(ROOT.href)));
  assertEquals(cycles(ours), []);
});
