// Memory: a long-lived route group (the SOCKS proxy's) keeps nothing per packet it sends.
import { assert } from "@std/assert";
import { readFull, writeAll } from "../../../mod/conn/mod.ts";
import { heapAfterGc } from "../../_util/heap.ts";
import { TestRoutes } from "./_net.ts";

Deno.test("5,000 writes on one open route group leave no heap behind", async () => {
  await using net = new TestRoutes();
  const a = await net.visor(), b = await net.visor();
  await net.link(a, b);
  const listener = b.router.listen(3);
  const [conn, accepted] = await Promise.all([a.dialer.dial(b.pk, 3), listener.accept()]);
  const one = new Uint8Array(1);
  const churn = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await writeAll(conn, one);
      await readFull(accepted!, one);
    }
  };
  await churn(500); // code, feedback and buffers of the path settle first
  const before = await heapAfterGc();
  const writes = 5_000;
  await churn(writes);
  const grown = (await heapAfterGc()) - before;
  // A write raced against the group's never-settling close promise kept ~320 B (1.6 MB here).
  assert(grown < 100 * writes, `the heap grew ${grown} B over ${writes} writes`);
  conn.close();
  await Promise.all([conn.closed, accepted!.closed]);
  listener.close();
});
