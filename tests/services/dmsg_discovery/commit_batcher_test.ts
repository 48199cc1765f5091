import { assertEquals } from "@std/assert";
import {
  CommitBatcher,
  type PendingWrite,
} from "../../../services/dmsg_discovery/_commit_batcher.ts";
import { tempDir } from "../../_util/temp_dir.ts";

function write(key: string, value: string, versionstamp: string | null = null): PendingWrite {
  return {
    key,
    checks: [{ key: ["k", key], versionstamp }],
    mutations: 1,
    bytes: value.length,
    mutate: (op) => void op.set(["k", key], value),
  };
}

Deno.test("commit batcher: concurrent writes share commits, each keeps its own checks", async () => {
  await using dir = await tempDir("skywire-batch-");
  using kv = await Deno.openKv(`${dir.path}/b.kv`);
  let commits = 0;
  const batcher = new CommitBatcher(() => {
    commits++;
    return kv;
  });
  // 40 new keys at once: far fewer commits than writes, all applied.
  const results = await Promise.all(
    Array.from({ length: 40 }, (_, i) => batcher.commit(write(`a${i}`, `v${i}`))),
  );
  assertEquals(results.every((v) => typeof v === "string"), true);
  assertEquals(commits < 10, true, `${commits} commits`);
  for (let i = 0; i < 40; i++) {
    // Each write learns the versionstamp its key now has.
    const read = await kv.get(["k", `a${i}`]);
    assertEquals([read.value, read.versionstamp], [`v${i}`, results[i]]);
  }

  // One stale write in a group: it alone fails; the others are applied.
  const stale = await kv.get(["k", "a0"]);
  await kv.set(["k", "a0"], "moved on");
  const mixed = await Promise.all([
    batcher.commit(write("b1", "x")),
    batcher.commit(write("a0", "stale", stale.versionstamp)),
    batcher.commit(write("b2", "y")),
    batcher.commit(write("b3", "z")),
  ]);
  assertEquals(mixed.map((v) => v !== null), [true, false, true, true]);
  assertEquals((await kv.get(["k", "a0"])).value, "moved on");
  assertEquals((await kv.get(["k", "b3"])).value, "z");

  // Two writes of one key with the same check never both win.
  const same = await Promise.all([
    batcher.commit(write("c", "first")),
    batcher.commit(write("c", "second")),
    batcher.commit(write("d", "other")),
  ]);
  assertEquals(same.map((v) => v !== null), [true, false, true]);
  assertEquals((await kv.get(["k", "c"])).value, "first");
});

Deno.test("commit batcher: a write the store refuses fails alone, with its error", async () => {
  await using dir = await tempDir("skywire-batch-");
  using kv = await Deno.openKv(`${dir.path}/b.kv`);
  const batcher = new CommitBatcher(() => kv);
  const tooBig: PendingWrite = {
    key: "big",
    checks: [],
    mutations: 1,
    bytes: 10,
    // Deno KV refuses a value over 64 KiB.
    mutate: (op) => void op.set(["k", "big"], new Uint8Array(70_000)),
  };
  const results = await Promise.allSettled([
    batcher.commit(write("e1", "x")),
    batcher.commit(tooBig),
    batcher.commit(write("e2", "y")),
  ]);
  assertEquals(results.map((r) => r.status), ["fulfilled", "rejected", "fulfilled"]);
  assertEquals((await kv.get(["k", "e2"])).value, "y");
});
