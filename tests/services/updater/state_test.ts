/**
 * Reading the updater's status creates nothing where no state exists yet, and reads what a
 * check recorded where it does.
 */
import { assertEquals } from "@std/assert";
import { join } from "node:path";
import { openUpdaterState, readUpdaterStatus } from "../../../services/updater/mod.ts";
import { tempDir } from "../../_util/temp_dir.ts";

Deno.test("readUpdaterStatus: no state yet is undefined and leaves nothing behind", async () => {
  await using dir = await tempDir();
  const stateDir = join(dir.path, "local");
  assertEquals(await readUpdaterStatus({ stateDir }), undefined);
  assertEquals([...Deno.readDirSync(dir.path)], []);

  await Deno.mkdir(stateDir);
  assertEquals(await readUpdaterStatus({ stateDir }), undefined);
  assertEquals([...Deno.readDirSync(stateDir)], []);
});

Deno.test("readUpdaterStatus: reads what was recorded", async () => {
  await using dir = await tempDir();
  const check = {
    time: "2026-01-02T03:04:05.000Z",
    result: "up-to-date" as const,
    channel: "stable",
    source: "file:///m.json",
    current_version: "0.1.0",
  };
  {
    using state = await openUpdaterState({ stateDir: dir.path });
    await state.recordCheck(check);
  }
  const status = await readUpdaterStatus({ stateDir: dir.path });
  assertEquals(status?.last_check, check);
  assertEquals(status?.history, []);
});
