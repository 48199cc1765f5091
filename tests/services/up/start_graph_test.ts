/**
 * What `skywire up` imports when it starts (`main.ts` and the `up` command's static graph):
 * not the fallback crypto. `@noble/curves` and `@noble/ciphers` are imported only where
 * libsecp256k1 or libcrypto cannot be used (mod/cipher and mod/noise import them then) and
 * `node:crypto` is loaded at first use (`nodeCrypto`), so an idle node that has the libraries
 * carries none of them.
 */
import { assertEquals } from "@std/assert";
import { staticGraph } from "../../_util/static_graph.ts";

const ROOT = new URL("../../../", import.meta.url);

Deno.test("up's start imports neither noble's curves and ciphers nor node:crypto", async () => {
  const graph = new Set([
    ...await staticGraph(new URL("main.ts", ROOT)),
    ...await staticGraph(new URL("services/up/commands.ts", ROOT)),
  ]);
  const fallbacks = [...graph].filter((specifier) =>
    /^npm:\/?@noble\/(curves|ciphers)@/.test(specifier) || specifier === "node:crypto"
  );
  assertEquals(fallbacks, []);
});

Deno.test("up's start does not import mod/tls: the certificate code loads only with TLS", async () => {
  const graph = new Set([
    ...await staticGraph(new URL("main.ts", ROOT)),
    ...await staticGraph(new URL("services/up/commands.ts", ROOT)),
  ]);
  // Only its error class, which mod/http's server tells apart.
  const tls = new URL("mod/tls/", ROOT).href, errors = new URL("mod/tls/errors.ts", ROOT).href;
  assertEquals([...graph].filter((s) => s.startsWith(tls) && s !== errors), []);
});
