/**
 * `serveUi` listens at once and makes the app at the first request: its pages and routes are
 * not in the static import graph of `ui/mod.ts` (what the visor and `up` import).
 */
import { assert, assertEquals } from "@std/assert";
import { startTestNode } from "./_node.ts";
import { staticGraph } from "../_util/static_graph.ts";

const ROOT = new URL("../../", import.meta.url);

Deno.test("ui/mod.ts does not load the app, its pages or its routes", async () => {
  const graph = await staticGraph(new URL("ui/mod.ts", ROOT));
  assert(graph.has(new URL("ui/serve.ts", ROOT).href));
  const eager = [...graph].filter((s) =>
    s === new URL("ui/app.ts", ROOT).href ||
    s.startsWith(new URL("ui/routes/", ROOT).href) ||
    s.startsWith(new URL("ui/pages/", ROOT).href)
  );
  assertEquals(eager, []);
});

Deno.test("the UI made at the first request is the one app() returns, and it serves", async () => {
  await using node = await startTestNode();
  const response = await fetch(`${node.url}/login`);
  assertEquals(response.status, 200);
  await response.body?.cancel();
  const app = await node.network.ui.app();
  assert(app === await node.network.ui.app());
});
