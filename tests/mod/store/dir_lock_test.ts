/**
 * The data-directory lock: a second holder (in this process or another) is refused with the
 * first one's pid and details; a release or the holder's death frees it; a lock left by a
 * killed process is taken over with a log line; foreign or torn lock files never crash it.
 */
import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "node:path";
import { DirLockedError, lockDir } from "../../../mod/store/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { tempDir } from "../../_util/temp_dir.ts";

const DIR_LOCK = new URL("../../../mod/store/mod.ts", import.meta.url).href;

Deno.test("lockDir: one holder at a time; the refusal names the holder and its details", async () => {
  await using dir = await tempDir();
  const logger = captureLogger();
  const first = await lockDir({ dir: dir.path, name: "up.lock", what: "skywire up", logger });
  await first.update({ discovery: "http://127.0.0.1:9090", "dmsg server": "127.0.0.1:8081" });

  const refused = await assertRejects(
    () => lockDir({ dir: dir.path, name: "up.lock", what: "skywire up", logger }),
    DirLockedError,
  );
  assertEquals(refused.holder?.pid, Deno.pid);
  assertEquals(refused.holder?.what, "skywire up");
  assertEquals(
    refused.message,
    `${dir.path} is in use by skywire up (pid ${Deno.pid}, discovery http://127.0.0.1:9090, ` +
      "dmsg server 127.0.0.1:8081)",
  );

  first.release();
  first.release();
  // A clean release leaves an empty file: the next holder takes it without a stale warning.
  assertEquals(await Deno.readTextFile(join(dir.path, "up.lock")), "");
  using second = await lockDir({ dir: dir.path, name: "up.lock", what: "skywire up", logger });
  assertEquals(logger.lines.filter((line) => line.includes("stale")), []);
  await second.update({ visor: "02ab" });
  assertEquals(JSON.parse(await Deno.readTextFile(second.path)).details, { visor: "02ab" });
});

Deno.test("lockDir: a lock held by another process refuses us; its death frees it (logged)", async () => {
  await using dir = await tempDir();
  // The child takes the lock, says so, and waits to be killed: it never releases.
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `const { lockDir } = await import(${JSON.stringify(DIR_LOCK)});
       const lock = await lockDir({ dir: ${JSON.stringify(dir.path)}, what: "holder" });
       await lock.update({ role: "child" });
       console.log("locked");
       setInterval(() => {}, 1000);`,
    ],
    stdout: "piped",
    stderr: "inherit",
    stdin: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  assertEquals((await reader.read()).value?.trim(), "locked");

  const logger = captureLogger();
  const refused = await assertRejects(
    () => lockDir({ dir: dir.path, what: "me", logger }),
    DirLockedError,
  );
  assertEquals(refused.holder?.pid, child.pid);
  assert(refused.message.includes(`holder (pid ${child.pid}, role child)`), refused.message);

  child.kill("SIGKILL");
  await child.status;
  await reader.cancel();
  using lock = await lockDir({ dir: dir.path, what: "me", logger });
  const stale = logger.lines.find((line) => line.includes("stale lock"));
  assert(stale?.includes(`pid=${child.pid}`), logger.lines.join("\n"));
  assertEquals(JSON.parse(await Deno.readTextFile(lock.path)).pid, Deno.pid);
});

Deno.test("lockDir: foreign, torn or oversized lock files are taken over, never a crash", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "lock");
  for (const text of ["", "not json", '{"pid":"x"}', "{", "x".repeat(200_000), "null"]) {
    await Deno.writeTextFile(path, text);
    using lock = await lockDir({ dir: dir.path, what: "me" });
    assertEquals(JSON.parse(await Deno.readTextFile(lock.path)).what, "me");
  }
  // Held while unreadable as a record: refused without a holder to name.
  using held = await lockDir({ dir: dir.path, what: "me" });
  await Deno.writeTextFile(path, "garbage");
  const refused = await assertRejects(() => lockDir({ dir: dir.path, what: "me" }), DirLockedError);
  assertEquals(refused.holder, undefined);
  assert(refused.message.includes("another process"), refused.message);
  held.release();
});
