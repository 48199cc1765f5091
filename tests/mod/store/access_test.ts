/**
 * A permission problem is never taken for damage: a store this process may not read or write
 * (mode 000, a read-only data directory, a read-only mount) stops with an error naming the
 * path, and nothing is moved aside. Real KV files, opened by an unprivileged child process.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { openStore } from "../../../mod/store/mod.ts";
import { asNobody, handTo, type Unprivileged } from "../../_util/as_nobody.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { tempDir } from "../../_util/temp_dir.ts";

const CHILD = new URL("./_child.ts", import.meta.url).pathname;
const MONITOR_CHILD = new URL("./_monitor_child.ts", import.meta.url).pathname;

async function makeStore(path: string): Promise<void> {
  const store = await openStore({ path, logger: captureLogger() });
  for (let i = 0; i < 50; i++) await store.kv.set(["item", i], "v".repeat(200));
  store.close();
}

async function run(user: Unprivileged, args: string[], wrap: string[] = []) {
  const [program, ...rest] = [...wrap, ...user.command];
  const out = await new Deno.Command(program, {
    args: [...rest, "run", "-A", "--unstable-kv", ...args],
    env: user.env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  return {
    code: out.code,
    stderr: new TextDecoder().decode(out.stderr),
    result: text ? JSON.parse(text.split("\n").at(-1)!) : undefined,
  };
}

function listing(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

Deno.test("a store file the user may not read (mode 000) is an error naming it; nothing moves", async () => {
  await using user = await asNobody();
  await using dir = await tempDir();
  const data = `${dir.path}/data`;
  const path = `${data}/state.kv`;
  await makeStore(path);
  await handTo(user, data);
  Deno.chmodSync(path, 0o000);
  const before = listing(data);
  const original = Deno.readFileSync(path);
  const child = await run(user, [CHILD, path]);
  assertEquals(child.code, 3, child.stderr);
  assertMatch(
    child.result.error,
    new RegExp(`StoreAccessError: cannot use store ${path}: no read/write access to ${path}`),
  );
  assertMatch(child.result.error, /EACCES/);
  assertEquals(listing(data), before, "nothing moved aside, nothing created");
  assertEquals(Deno.readFileSync(path), original);
});

Deno.test("a read-only data directory (mode 0555) is an error naming it; nothing moves", async () => {
  await using user = await asNobody();
  await using dir = await tempDir();
  const data = `${dir.path}/data`;
  const path = `${data}/state.kv`;
  await makeStore(path);
  await handTo(user, data);
  Deno.chmodSync(data, 0o555);
  const before = listing(data);
  const child = await run(user, [CHILD, path]);
  assertEquals(child.code, 3, child.stderr);
  assertMatch(child.result.error, new RegExp(`no write access to ${data} \\(EACCES\\)`));
  assertEquals(listing(data), before);
});

Deno.test("a read-only mount (EROFS) stops even root; nothing moves", async () => {
  if (Deno.uid() !== 0) return; // needs a mount namespace
  await using dir = await tempDir();
  const data = `${dir.path}/data`;
  const path = `${data}/state.kv`;
  await makeStore(path);
  const before = listing(data);
  const root: Unprivileged = {
    command: [Deno.execPath()],
    env: {},
    uid: 0,
    gid: 0,
    async [Symbol.asyncDispose]() {},
  };
  const mount = `mount --bind ${data} ${data} && mount -o remount,bind,ro ${data} && exec "$@"`;
  const child = await run(root, [CHILD, path], ["unshare", "-m", "sh", "-c", mount, "sh"]);
  assertEquals(child.code, 3, child.stderr);
  assertMatch(child.result.error, new RegExp(`no write access to ${data} \\(EROFS\\)`));
  assertEquals(listing(data), before);
});

Deno.test("losing read access while running is logged, never recovered", async () => {
  await using user = await asNobody();
  await using dir = await tempDir();
  const data = `${dir.path}/data`;
  Deno.mkdirSync(data);
  await handTo(user, data);
  const path = `${data}/state.kv`;
  const child = await run(user, [MONITOR_CHILD, path]);
  assertEquals(child.code, 0, child.stderr);
  assertEquals(child.result.status, "unusable");
  assertEquals(child.result.recovered, false);
  assertEquals(child.result.kept, "yes");
  assert(child.result.logs.some((l: string) => l.includes("cannot be checked")));
  assert(!listing(data).some((n) => n.includes(".corrupt.")), listing(data).join(","));
});
