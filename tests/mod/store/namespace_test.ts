import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { join } from "node:path";
import { captureLogger } from "../../_util/capture_logger.ts";
import { tempDir } from "../../_util/temp_dir.ts";
import { listRecoveries, namespacedStore, openStore } from "../../../mod/store/mod.ts";

async function keysOf(kv: Deno.Kv, selector: Deno.KvListSelector, options?: Deno.KvListOptions) {
  const out: Deno.KvKey[] = [];
  for await (const e of kv.list(selector, options)) out.push(e.key);
  return out;
}

Deno.test("namespaces of one store keep their keys apart, and each sees its keys unprefixed", async () => {
  await using dir = await tempDir();
  const logger = captureLogger();
  const shared = await openStore({ path: join(dir.path, "shared.kv"), logger });
  try {
    const a = namespacedStore(shared, ["up", "a"]);
    const b = namespacedStore(shared, ["up", "b"]);
    // The same keys in both, plus one at the root.
    for (const [view, tag] of [[a, "A"], [b, "B"]] as const) {
      await view.kv.set(["entry", 1], `${tag}1`);
      await view.kv.set(["entry", 2], `${tag}2`);
      await view.kv.set(["other"], tag);
    }
    await shared.kv.set(["entry", 1], "root");

    assertEquals((await a.kv.get(["entry", 1])).value, "A1");
    assertEquals((await a.kv.get(["entry", 1])).key, ["entry", 1]);
    assertEquals((await b.kv.get(["entry", 1])).value, "B1");
    assertEquals((await shared.kv.get(["entry", 1])).value, "root");
    assertEquals((await shared.kv.get(["up", "a", "entry", 2])).value, "A2");
    assertEquals(
      (await a.kv.getMany([["entry", 2], ["missing"]])).map((e) => [e.key, e.value]),
      [[["entry", 2], "A2"], [["missing"], null]],
    );

    // list: prefix, prefix + start, start + end, the empty prefix; reverse and limit.
    assertEquals(await keysOf(a.kv, { prefix: ["entry"] }), [["entry", 1], ["entry", 2]]);
    assertEquals(await keysOf(a.kv, { prefix: ["entry"], start: ["entry", 2] }), [["entry", 2]]);
    assertEquals(await keysOf(b.kv, { start: ["entry", 2], end: ["other", 0] }), [
      ["entry", 2],
      ["other"],
    ]);
    assertEquals(await keysOf(b.kv, { prefix: [] }), [["entry", 1], ["entry", 2], ["other"]]);
    assertEquals(await keysOf(a.kv, { prefix: [] }, { reverse: true, limit: 1 }), [["other"]]);

    // A cursor from one page continues the next through the view.
    const first = a.kv.list({ prefix: [] }, { limit: 2 });
    const page1: Deno.KvKey[] = [];
    for await (const e of first) page1.push(e.key);
    const page2 = await keysOf(a.kv, { prefix: [] }, { cursor: first.cursor });
    assertEquals([...page1, ...page2], [["entry", 1], ["entry", 2], ["other"]]);

    // Atomic checks and writes are namespaced too: a check on A's key does not see B's.
    const entry = await a.kv.get<string>(["entry", 1]);
    await b.kv.set(["entry", 1], "B1 changed");
    const ok = await a.kv.atomic().check(entry).set(["entry", 1], "A1'").sum(["count"], 2n)
      .delete(["other"]).commit();
    assert(ok.ok);
    assertEquals((await a.kv.get(["entry", 1])).value, "A1'");
    assertEquals((await a.kv.get<Deno.KvU64>(["count"])).value?.value, 2n);
    assertEquals((await a.kv.get(["other"])).value, null);
    assertEquals((await b.kv.get(["other"])).value, "B");
    const stale = await a.kv.atomic().check(entry).set(["entry", 1], "lost").commit();
    assert(!stale.ok);
    await a.kv.delete(["entry", 2]);
    assertEquals((await b.kv.get(["entry", 2])).value, "B2");

    // Closing a view leaves the shared handle open.
    a.close();
    assertEquals((await b.kv.get(["entry", 2])).value, "B2");
    await assertRejects(() => a.kv.enqueue("x"), TypeError);
    assertThrows(() => namespacedStore(shared, []), TypeError);
  } finally {
    shared.close();
  }
});

Deno.test("a namespace follows the shared store through a recovery", async () => {
  await using dir = await tempDir();
  const logger = captureLogger();
  const shared = await openStore({ path: join(dir.path, "shared.kv"), logger });
  try {
    const a = namespacedStore(shared, ["a"]);
    const b = namespacedStore(shared, ["b"]);
    await a.kv.set(["k"], "a");
    await b.kv.set(["k"], "b");
    // One part's monitor recovers the file; every part sees the fresh handle and the records
    // that were salvaged into it, and the recovery is recorded at the root.
    await a.recover("test: damaged");
    assertEquals((await b.kv.get(["k"])).value, "b");
    assertEquals((await a.kv.get(["k"])).value, "a");
    assertEquals((await listRecoveries(shared.kv)).map((r) => r.reason), ["test: damaged"]);
    assertEquals(await listRecoveries(a.kv), []);
  } finally {
    shared.close();
  }
});
