import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "node:path";
import { captureLogger } from "../../_util/capture_logger.ts";
import { tempDir } from "../../_util/temp_dir.ts";
import { listRecoveries, openServiceStore, openStore } from "../../../mod/store/mod.ts";

Deno.test("a lent store stays open when the service closes its handle, and follows a recovery", async () => {
  await using dir = await tempDir();
  const logger = captureLogger();
  const shared = await openStore({ path: join(dir.path, "shared.kv"), logger });
  try {
    const a = await openServiceStore({ store: shared }, logger);
    const b = await openServiceStore({ store: shared }, logger);
    assertEquals(a.path, shared.path);
    await a.kv.set(["a", 1], "one");
    await b.kv.set(["b", 1], "two");
    a.close();
    // The shared handle still works for the other service and the owner.
    assertEquals((await b.kv.get(["a", 1])).value, "one");
    assertEquals((await shared.kv.get(["b", 1])).value, "two");

    // A recovery through one service (its store monitor) replaces the handle for all.
    const before = shared.kv;
    const record = await b.recover("test: damaged");
    assert(shared.kv !== before);
    assert(a.kv === shared.kv && b.kv === shared.kv);
    assertEquals(record.reason, "test: damaged");
    // What still read was salvaged into the fresh file; the recovery is recorded in it.
    assertEquals((await b.kv.get(["b", 1])).value, "two");
    assertEquals((await listRecoveries(a.kv)).map((r) => r.reason), ["test: damaged"]);
  } finally {
    shared.close();
  }
});

Deno.test("a service store is opened from its path and closed with the service", async () => {
  await using dir = await tempDir();
  const logger = captureLogger();
  const path = join(dir.path, "own.kv");
  const own = await openServiceStore({ storePath: path }, logger);
  await own.kv.set(["k"], 1);
  own.close();
  await assertRejects(() => own.kv.get(["k"]));
  const again = await openStore({ path, logger });
  try {
    assertEquals((await again.kv.get(["k"])).value, 1);
  } finally {
    again.close();
  }
});

Deno.test("a service store needs a path or a store", async () => {
  await assertRejects(() => openServiceStore({}, captureLogger()), TypeError, "storePath or store");
});
