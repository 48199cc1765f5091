import { assert, assertEquals, assertMatch, assertRejects } from "@std/assert";
import { captureLogger } from "../../_util/capture_logger.ts";
import { tempDir } from "../../_util/temp_dir.ts";
import {
  checkStore,
  listRecoveries,
  openStore,
  probeStore,
  startStoreMonitor,
  StoreError,
} from "../../../mod/store/mod.ts";

const PAGE = 4096;

/** Fill a store with enough data to span many pages, then close it. */
async function makeStore(path: string, n = 600): Promise<void> {
  const store = await openStore({ path, logger: captureLogger() });
  for (let i = 0; i < n; i += 100) {
    const op = store.kv.atomic();
    for (let j = i; j < Math.min(n, i + 100); j++) op.set(["item", j], "v".repeat(400) + j);
    await op.commit();
  }
  store.close();
}

function corruptAt(path: string, offset: number, length: number): void {
  const file = Deno.openSync(path, { read: true, write: true });
  try {
    file.seekSync(offset, Deno.SeekMode.Start);
    const junk = new Uint8Array(length);
    for (let i = 0; i < length; i++) junk[i] = (i * 131 + 7) & 0xff;
    file.writeSync(junk);
  } finally {
    file.close();
  }
}

function corruptName(dir: string, base: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
    n.startsWith(`${base}.corrupt.`)
  )
    .sort();
}

/** Open in a child process (a crash there cannot take the test runner down) and report. */
async function openInChild(path: string, waitMs = 0, wrap: string[] = []) {
  const script = new URL("./_child.ts", import.meta.url).pathname;
  const args = [
    ...wrap,
    Deno.execPath(),
    "run",
    "-A",
    "--unstable-kv",
    script,
    path,
    String(waitMs),
  ];
  const out = await new Deno.Command(args[0], {
    args: args.slice(1),
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const text = new TextDecoder().decode(out.stdout).trim();
  return {
    code: out.code,
    stderr: new TextDecoder().decode(out.stderr),
    result: text ? JSON.parse(text) : undefined,
  };
}

/** Assert a recovery happened, the new store works, and the moved-aside file is the original. */
async function assertRecovered(dir: string, path: string, original: Uint8Array, reason: RegExp) {
  const moved = corruptName(dir, "state.kv").filter((n) =>
    !n.endsWith("-wal") && !n.endsWith("-shm")
  );
  assertEquals(moved.length, 1, `one moved-aside file, got ${moved}`);
  assertEquals(
    Deno.readFileSync(`${dir}/${moved[0]}`),
    original,
    "moved-aside file keeps the original bytes",
  );
  const logger = captureLogger();
  const store = await openStore({ path, logger });
  try {
    const recs = await listRecoveries(store.kv);
    assertEquals(recs.length, 1);
    assertMatch(recs[0].reason, reason);
    assertEquals(recs[0].movedTo[0], `${dir}/${moved[0]}`);
    await store.kv.set(["after"], "works");
    assertEquals((await store.kv.get(["after"])).value, "works");
  } finally {
    store.close();
  }
}

Deno.test("openStore keeps the data of a healthy store across reopen", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/state.kv`;
  await makeStore(path);
  const logger = captureLogger();
  const store = await openStore({ path, logger });
  try {
    assertEquals(store.recovery, undefined);
    assertEquals((await store.kv.get(["item", 599])).value, "v".repeat(400) + 599);
    let n = 0;
    for await (const _ of store.kv.list({ prefix: ["item"] })) n++;
    assertEquals(n, 600);
    assertEquals(corruptName(dir.path, "state.kv"), []);
  } finally {
    store.close();
  }
});

Deno.test("openStore creates a missing store and its directory", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/deep/er/state.kv`;
  const store = await openStore({ path, logger: captureLogger() });
  await store.kv.set(["a"], 1);
  store.close();
  assertEquals(probeStore(path), { status: "ok" });
});

Deno.test("openStore recovers a store whose header was overwritten with garbage", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/state.kv`;
  await makeStore(path);
  corruptAt(path, 0, 100);
  const original = Deno.readFileSync(path);
  const logger = captureLogger();
  const store = await openStore({ path, logger });
  assert(store.recovery);
  assertEquals((await store.kv.get(["item", 1])).value, null, "fresh store");
  store.close();
  assert(logger.lines.some((l) => l.includes("WARN") && l.includes("moved it aside")));
  await assertRecovered(dir.path, path, original, /not a database|malformed/);
});

Deno.test("a page overwritten in the middle is recovered and the process survives (child process)", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/state.kv`;
  await makeStore(path);
  const size = Deno.statSync(path).size;
  corruptAt(path, Math.floor(size / PAGE / 2) * PAGE, PAGE);
  const original = Deno.readFileSync(path);
  const child = await openInChild(path, 200);
  assertEquals(child.code, 0, child.stderr);
  assertEquals(child.result.ok, true);
  assertEquals(child.result.value, "written by child");
  assertMatch(child.result.recovery.reason, /malformed|quick_check/);
  assert(child.result.logs.some((l: string) => l.includes("moved it aside")));
  await assertRecovered(dir.path, path, original, /malformed|quick_check/);
});

Deno.test("openStore recovers a store truncated mid-page", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/state.kv`;
  await makeStore(path);
  const full = Deno.readFileSync(path);
  const cut = full.subarray(0, Math.floor(full.length / 2) + 1000);
  Deno.writeFileSync(path, cut);
  const store = await openStore({ path, logger: captureLogger() });
  assert(store.recovery, "truncated file must be recovered");
  store.close();
  await assertRecovered(dir.path, path, cut, /malformed|quick_check|not a database/);
});

Deno.test("openStore moves a zero-length store aside and starts fresh", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/state.kv`;
  Deno.writeFileSync(path, new Uint8Array(0));
  const store = await openStore({ path, logger: captureLogger() });
  assertEquals(store.recovery?.reason, "empty file");
  store.close();
  await assertRecovered(dir.path, path, new Uint8Array(0), /empty file/);
});

Deno.test("a garbage -wal file is ignored by SQLite and the healthy data survives", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/state.kv`;
  await makeStore(path);
  const junk = new Uint8Array(9000);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 37 + 11) & 0xff;
  Deno.writeFileSync(`${path}-wal`, junk);
  // The database itself is intact, so nothing may be thrown away.
  const child = await openInChild(path);
  assertEquals(child.code, 0, child.stderr);
  assertEquals(child.result.recovery, undefined);
  const store = await openStore({ path, logger: captureLogger() });
  try {
    assertEquals((await store.kv.get(["item", 42])).value, "v".repeat(400) + 42);
    assertEquals((await store.kv.get(["child", "probe"])).value, "written by child");
  } finally {
    store.close();
  }
  assertEquals(corruptName(dir.path, "state.kv"), []);
});

Deno.test("a directory where the store file should be is moved aside", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/state.kv`;
  Deno.mkdirSync(path);
  Deno.writeTextFileSync(`${path}/keep.txt`, "operator file");
  const store = await openStore({ path, logger: captureLogger() });
  assertMatch(store.recovery!.reason, /directory/);
  await store.kv.set(["x"], 1);
  store.close();
  const moved = corruptName(dir.path, "state.kv");
  assertEquals(moved.length, 1);
  assertEquals(Deno.readTextFileSync(`${dir.path}/${moved[0]}/keep.txt`), "operator file");
});

Deno.test("a damaged store in a read-only directory is an access error and nothing is moved", async () => {
  await using dir = await tempDir();
  const ro = `${dir.path}/ro`;
  Deno.mkdirSync(ro);
  const path = `${ro}/state.kv`;
  await makeStore(path);
  corruptAt(path, 0, 100);
  const original = Deno.readFileSync(path);
  Deno.chmodSync(ro, 0o555);
  // Root ignores permission bits; drop the capabilities that let it (as a non-root user would be).
  const wrap = Deno.uid() === 0
    ? ["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]
    : [];
  const child = await openInChild(path, 0, wrap);
  assertEquals(child.code, 3, child.stderr);
  assertEquals(child.result.ok, false);
  assertMatch(
    child.result.error,
    /StoreAccessError: cannot use store .*: no write access to .*ro \(EACCES\)/,
  );
  assertEquals(Deno.readFileSync(path), original, "the damaged file is untouched");
  assertEquals(corruptName(ro, "state.kv"), []);
});

Deno.test("a healthy store in a read-only directory is a clear error, not an in-memory store", async () => {
  await using dir = await tempDir();
  const ro = `${dir.path}/ro`;
  Deno.mkdirSync(ro);
  Deno.chmodSync(ro, 0o555);
  const wrap = Deno.uid() === 0
    ? ["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]
    : [];
  const child = await openInChild(`${ro}/state.kv`, 0, wrap);
  assertEquals(child.code, 3, child.stderr);
  assertMatch(child.result.error, /StoreAccessError: cannot use store .*no write access/);
});

Deno.test("a probe that throws is treated as damage: moved aside, fresh store", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/state.kv`;
  await makeStore(path);
  const original = Deno.readFileSync(path);
  const store = await openStore({
    path,
    logger: captureLogger(),
    probe: () => {
      throw new TypeError("probe exploded");
    },
  });
  assertEquals(store.recovery?.reason, "probe failed: probe exploded");
  store.close();
  await assertRecovered(dir.path, path, original, /probe exploded/);
});

Deno.test("a SQLite file that is not a Deno KV store is refused and left alone", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/state.kv`;
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(path);
  db.exec("CREATE TABLE users (name TEXT)");
  db.close();
  const original = Deno.readFileSync(path);
  await assertRejects(() => openStore({ path, logger: captureLogger() }), StoreError, "refusing");
  assertEquals(Deno.readFileSync(path), original);
});

Deno.test("stray -wal/-shm files without a database are moved aside before a fresh open", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/state.kv`;
  Deno.writeFileSync(`${path}-wal`, new Uint8Array([1, 2, 3]));
  const store = await openStore({ path, logger: captureLogger() });
  assertMatch(store.recovery!.reason, /stray/);
  store.close();
  assertEquals(corruptName(dir.path, "state.kv").length, 1);
  assertEquals(Deno.readFileSync(`${store.recovery!.movedTo[0]}`), new Uint8Array([1, 2, 3]));
});

Deno.test("two recoveries in the same second get distinct names", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/state.kv`;
  const now = () => new Date(1_800_000_000_000);
  for (let i = 0; i < 2; i++) {
    Deno.writeFileSync(path, new Uint8Array([i]));
    const store = await openStore({ path, logger: captureLogger(), now });
    store.close();
  }
  assertEquals(corruptName(dir.path, "state.kv"), [
    "state.kv.corrupt.1800000000",
    "state.kv.corrupt.1800000000.1",
  ]);
  assertEquals(Deno.readFileSync(`${dir.path}/state.kv.corrupt.1800000000`), new Uint8Array([0]));
  assertEquals(Deno.readFileSync(`${dir.path}/state.kv.corrupt.1800000000.1`), new Uint8Array([1]));
});

Deno.test("checkStore reports a healthy open store as ok", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/state.kv`;
  const store = await openStore({ path, logger: captureLogger() });
  try {
    await store.kv.set(["a"], 1);
    assertEquals(await checkStore(path), { status: "ok" });
  } finally {
    store.close();
  }
});

Deno.test("the store monitor recovers a store damaged while running", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/state.kv`;
  const logger = captureLogger();
  const store = await openStore({ path, logger });
  await store.kv.set(["before"], 1);
  let recovered = "";
  let damaged = false;
  const monitor = startStoreMonitor({
    store,
    intervalMs: 3_600_000,
    logger,
    probe: (p) => damaged ? { status: "corrupt", reason: "simulated damage" } : probeStore(p),
    onRecovered: (reason) => recovered = reason,
  });
  try {
    assertEquals((await monitor.checkNow()).status, "ok");
    damaged = true;
    assertEquals((await monitor.checkNow()).status, "corrupt");
    assertEquals(recovered, "simulated damage");
    // The file itself still reads, so everything in it is salvaged into the fresh store.
    assertEquals((await store.kv.get(["before"])).value, 1, "salvaged into the fresh store");
    const recs = await listRecoveries(store.kv);
    assertEquals(recs.map((r) => [r.reason, r.salvaged]), [["simulated damage", 1]]);
    assert(logger.lines.some((l) => l.includes("ERROR") && l.includes("failed its health probe")));
    assertEquals(corruptName(dir.path, "state.kv").filter((n) => !n.includes("-")).length, 1);
  } finally {
    monitor.stop();
    store.close();
  }
});
