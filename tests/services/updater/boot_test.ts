import { assert, assertEquals, assertMatch, assertRejects } from "@std/assert";
import { join } from "node:path";
import { tempDir } from "../../_util/temp_dir.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import {
  checkPendingRollback,
  markBootedOk,
  MAX_UNCONFIRMED_STARTS,
  openUpdaterState,
  rollbackUpdate,
  runUpdate,
  UpdateError,
  watchBootDeadline,
} from "../../../services/updater/mod.ts";
import { fakeBinary, publishRelease, TEST_TARGET, testKey, writeBinary } from "./_fixtures.ts";

const BOOT_TIMEOUT_MS = 120_000;

/** A fixed clock: 2026-01-01 plus `ms`. */
const at = (ms: number) => () => new Date(Date.UTC(2026, 0, 1) + ms);

/** A node at 0.1.0 that has just installed 0.2.0 (from a local release directory). */
async function updatedNode() {
  const dir = await tempDir();
  const exe = join(dir.path, "skywire");
  const oldBinary = fakeBinary("0.1.0");
  const newBinary = fakeBinary("0.2.0");
  await writeBinary(exe, oldBinary);
  const releaseDir = join(dir.path, "release");
  await Deno.mkdir(releaseDir);
  const key = testKey();
  await publishRelease({ dir: releaseDir, version: "0.2.0", key, binary: newBinary });
  const stateDir = join(dir.path, "local");
  const result = await runUpdate({
    source: join(releaseDir, "manifest.json"),
    channel: "stable",
    trustedKeys: [key],
    target: { path: exe, version: "0.1.0", self: false },
    stateDir,
    install: true,
    bootTimeoutMs: BOOT_TIMEOUT_MS,
    buildTarget: TEST_TARGET,
    logger: captureLogger(),
    now: at(-1000),
  });
  assertEquals(result.status, "installed");
  assertEquals(await Deno.readFile(exe), newBinary);
  return {
    dir,
    exe,
    stateDir,
    oldBinary,
    newBinary,
    [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose](),
  };
}

Deno.test("a new binary that keeps crashing before booted-OK is rolled back, then the old one runs", async () => {
  await using node = await updatedNode();
  const logger = captureLogger();
  // systemd: start, crash, RestartSec=5, start again... each start calls checkPendingRollback.
  const actions: string[] = [];
  let start = 0;
  const boot = (version: string) =>
    checkPendingRollback({ stateDir: node.stateDir, version, now: at(start++ * 6000), logger });
  while (actions.length < 10) {
    const result = await boot("0.2.0");
    actions.push(result.action);
    if (result.action === "rolled-back") {
      assertMatch(result.message, /rolled back .* from 0\.2\.0 to 0\.1\.0: 3 starts without/);
      break; // the node exits 75; systemd starts the restored binary next
    }
  }
  actions.push(`old:${(await boot("0.1.0")).action}`);
  assertEquals(actions, [
    ...Array(MAX_UNCONFIRMED_STARTS).fill("pending"),
    "rolled-back",
    "old:none",
  ]);
  assertEquals(await Deno.readFile(node.exe), node.oldBinary);
  assert(((await Deno.stat(node.exe)).mode! & 0o111) !== 0);
  assertEquals(await Deno.stat(`${node.exe}.prev`).then(() => true, () => false), false);
  using state = await openUpdaterState({ stateDir: node.stateDir });
  const status = await state.status();
  assertEquals(status.pending, undefined);
  assertEquals(status.rolled_back_versions, ["0.2.0"]);
  assertEquals(status.history.map((h) => h.event), ["rolled-back", "installed"]);
  assert(logger.lines.some((l) => l.includes("rolled back")), "the rollback is logged");
});

Deno.test("no booted-OK mark within boot_timeout: the next start rolls back", async () => {
  await using node = await updatedNode();
  const first = await checkPendingRollback({
    stateDir: node.stateDir,
    version: "0.2.0",
    now: at(0),
    logger: captureLogger(),
  });
  assertEquals(first.action, "pending");
  if (first.action === "pending") {
    assertEquals(first.deadline.getTime(), at(BOOT_TIMEOUT_MS)().getTime());
  }
  // Still inside the deadline: a second start is allowed.
  const second = await checkPendingRollback({
    stateDir: node.stateDir,
    version: "0.2.0",
    now: at(60_000),
    logger: captureLogger(),
  });
  assertEquals(second.action, "pending");
  const late = await checkPendingRollback({
    stateDir: node.stateDir,
    version: "0.2.0",
    now: at(BOOT_TIMEOUT_MS + 1),
    logger: captureLogger(),
  });
  assertEquals(late.action, "rolled-back");
  if (late.action === "rolled-back") assertMatch(late.message, /within 2m0s/);
  assertEquals(await Deno.readFile(node.exe), node.oldBinary);
});

Deno.test("booted-OK mark present: no rollback", async () => {
  await using node = await updatedNode();
  const check = await checkPendingRollback({
    stateDir: node.stateDir,
    version: "0.2.0",
    now: at(0),
    logger: captureLogger(),
  });
  assertEquals(check.action, "pending");
  assertEquals(
    await markBootedOk({
      stateDir: node.stateDir,
      version: "0.2.0",
      now: at(1000),
      logger: captureLogger(),
    }),
    true,
  );
  for (const ms of [5000, BOOT_TIMEOUT_MS * 10]) {
    const later = await checkPendingRollback({
      stateDir: node.stateDir,
      version: "0.2.0",
      now: at(ms),
      logger: captureLogger(),
    });
    assertEquals(later.action, "none");
  }
  assertEquals(await Deno.readFile(node.exe), node.newBinary);
  assertEquals(
    await Deno.readFile(`${node.exe}.prev`),
    node.oldBinary,
    ".prev stays for a manual rollback",
  );
  using state = await openUpdaterState({ stateDir: node.stateDir });
  const status = await state.status();
  assertEquals(status.booted_ok, { version: "0.2.0", time: at(1000)().toISOString() });
  assertEquals(status.history.map((h) => h.event), ["confirmed", "installed"]);
  // A later mark without anything pending only refreshes the mark.
  assertEquals(
    await markBootedOk({ stateDir: node.stateDir, version: "0.2.0", logger: captureLogger() }),
    false,
  );
});

Deno.test("a node that hangs without the mark is rolled back at the deadline by watchBootDeadline", async () => {
  await using node = await updatedNode();
  const check = await checkPendingRollback({
    stateDir: node.stateDir,
    version: "0.2.0",
    logger: captureLogger(),
  });
  assertEquals(check.action, "pending");
  const rolledBack = Promise.withResolvers<string>();
  using _watch = watchBootDeadline({
    stateDir: node.stateDir,
    version: "0.2.0",
    deadline: new Date(Date.now() + 20),
    logger: captureLogger(),
    onRollback: (result) => rolledBack.resolve(result.action),
  });
  assertEquals(await rolledBack.promise, "rolled-back");
  assertEquals(await Deno.readFile(node.exe), node.oldBinary);
});

Deno.test("watchBootDeadline does nothing once the node booted OK", async () => {
  await using node = await updatedNode();
  await checkPendingRollback({
    stateDir: node.stateDir,
    version: "0.2.0",
    logger: captureLogger(),
  });
  await markBootedOk({ stateDir: node.stateDir, version: "0.2.0", logger: captureLogger() });
  let called = false;
  {
    using _watch = watchBootDeadline({
      stateDir: node.stateDir,
      version: "0.2.0",
      deadline: new Date(Date.now() + 100_000),
      onRollback: () => {
        called = true;
      },
    });
  }
  assertEquals(called, false);
  assertEquals(await Deno.readFile(node.exe), node.newBinary);
});

Deno.test("rollbackUpdate puts .prev back, with or without a pending update", async () => {
  await using node = await updatedNode();
  const result = await rollbackUpdate({
    stateDir: node.stateDir,
    exe: node.exe,
    logger: captureLogger(),
  });
  assertEquals(result.pending?.to_version, "0.2.0");
  assertEquals(await Deno.readFile(node.exe), node.oldBinary);
  // Nothing left to go back to.
  const error = await assertRejects(
    () => rollbackUpdate({ stateDir: node.stateDir, exe: node.exe, logger: captureLogger() }),
    UpdateError,
  );
  assertEquals([error.step, error.code], ["rollback", "no-previous"]);
  assertEquals(await Deno.readFile(node.exe), node.oldBinary);
});

Deno.test("a pending entry for a version that is not running is forgotten", async () => {
  await using node = await updatedNode();
  const result = await checkPendingRollback({
    stateDir: node.stateDir,
    version: "0.1.0",
    logger: captureLogger(),
  });
  assertEquals(result.action, "none");
  using state = await openUpdaterState({ stateDir: node.stateDir });
  assertEquals(await state.pending(), undefined);
  assertEquals(await Deno.readFile(node.exe), node.newBinary, "nothing was moved");
});

Deno.test("no pending update: checkPendingRollback does nothing", async () => {
  await using dir = await tempDir();
  const result = await checkPendingRollback({ stateDir: dir.path, logger: captureLogger() });
  assertEquals(result, { action: "none" });
});
