/**
 * Regenerates tests/testdata/go-skywire-2024-vectors.json with the Go program in
 * tests/interop/go/vectors and fails on any difference from the committed file.
 *
 * The program needs github.com/skycoin/skywire from the Go module proxy, which answers 403 for
 * skycoin modules today, so on most machines this test is registered as ignored (with the
 * reason printed). SKYWIRE_GO_VECTORS_BIN may name an already built binary of the same program
 * (for example one built inside a vendored copy of the reference tree); then no build is tried.
 */
import { assertEquals } from "@std/assert";

const PROGRAM_DIR = new URL("./go/vectors/", import.meta.url);
const COMMITTED = new URL("../testdata/go-skywire-2024-vectors.json", import.meta.url);
// Asking the proxy for the reference module answers within a second (403 today); the probe's
// timeout only bounds a hanging network. A cold build downloads many modules, hence the longer one.
const PROBE_TIMEOUT_MS = 30_000;
const BUILD_TIMEOUT_MS = 300_000;
const RUN_TIMEOUT_MS = 120_000;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Generator {
  binary: string;
  cleanup: () => Promise<void>;
}

/** Builds the vectors program in a temp copy (so go.sum is not written into the repo). */
async function buildGenerator(): Promise<Generator | string> {
  const prebuilt = Deno.env.get("SKYWIRE_GO_VECTORS_BIN");
  if (prebuilt) return { binary: prebuilt, cleanup: () => Promise.resolve() };

  try {
    await new Deno.Command("go", { args: ["version"], stdout: "null", stderr: "null" }).output();
  } catch {
    return "go is not on PATH";
  }
  const dir = await Deno.makeTempDir({ prefix: "skywire-go-vectors-" });
  const cleanup = () => Deno.remove(dir, { recursive: true }).catch(() => {});
  for await (const entry of Deno.readDir(PROGRAM_DIR)) {
    if (entry.isFile && (entry.name.endsWith(".go") || entry.name === "go.mod")) {
      await Deno.copyFile(new URL(entry.name, PROGRAM_DIR), `${dir}/${entry.name}`);
    }
  }
  const goMod = await Deno.readTextFile(`${dir}/go.mod`);
  const reference = goMod.match(/github\.com\/skycoin\/skywire (v\S+)/)?.[1];
  const probe = await new Deno.Command("go", {
    args: ["mod", "download", "-json", `github.com/skycoin/skywire@${reference}`],
    cwd: dir,
    env: { GOTOOLCHAIN: "local" },
    stdout: "piped",
    stderr: "null",
    signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
  }).output().catch((error) => ({ success: false, stdout: new TextEncoder().encode(`${error}`) }));
  if (!probe.success) {
    await cleanup();
    const text = new TextDecoder().decode(probe.stdout);
    const why = text.match(/"Error": "([^"\\]*)/)?.[1] ?? text.trim().split("\n").at(-1);
    return `github.com/skycoin/skywire@${reference} is not available (${why})`;
  }
  const build = await new Deno.Command("go", {
    args: ["build", "-mod=mod", "-o", `${dir}/vectors`, "."],
    cwd: dir,
    env: { GOTOOLCHAIN: "local" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(BUILD_TIMEOUT_MS),
  }).output().catch((error) => ({ success: false, stderr: new TextEncoder().encode(`${error}`) }));
  if (!build.success) {
    await cleanup();
    const lines = new TextDecoder().decode(build.stderr).trim().split("\n");
    const why = lines.find((line) => /403 Forbidden|not available/.test(line)) ?? lines.at(-1);
    return `the reference module could not be built (${why?.trim() || "go build failed"})`;
  }
  return { binary: `${dir}/vectors`, cleanup };
}

/** Removes the paths (dot-separated) that legitimately change between runs. */
function withoutPaths(doc: { [key: string]: Json }, paths: string[]): { [key: string]: Json } {
  const copy = structuredClone(doc);
  for (const path of paths) {
    const keys = path.split(".");
    let node: Json = copy;
    for (const key of keys.slice(0, -1)) {
      node = node !== null && typeof node === "object" && !Array.isArray(node) ? node[key] : null;
    }
    if (node !== null && typeof node === "object" && !Array.isArray(node)) {
      delete node[keys[keys.length - 1]];
    }
  }
  return copy;
}

/** Lists the paths where two JSON values differ (at most `limit`). */
function differences(a: Json, b: Json, path = "", out: string[] = [], limit = 20): string[] {
  if (out.length >= limit) return out;
  const isObject = (v: Json) => v !== null && typeof v === "object";
  if (!isObject(a) || !isObject(b) || Array.isArray(a) !== Array.isArray(b)) {
    if (a !== b) out.push(`${path || "(root)"}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
    return out;
  }
  const ao = a as { [key: string]: Json };
  const bo = b as { [key: string]: Json };
  for (const key of new Set([...Object.keys(ao), ...Object.keys(bo)])) {
    differences(ao[key] ?? null, bo[key] ?? null, path ? `${path}.${key}` : key, out, limit);
  }
  return out;
}

const generator = await buildGenerator();
if (typeof generator === "string") {
  console.log(`regen_vectors_test ignored: ${generator}`);
}

Deno.test({
  name: "regenerated Go vectors equal the committed go-skywire-2024-vectors.json",
  ignore: typeof generator === "string",
  async fn() {
    const gen = generator as Generator;
    try {
      const run = await new Deno.Command(gen.binary, {
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(RUN_TIMEOUT_MS),
      }).output();
      assertEquals(run.success, true, new TextDecoder().decode(run.stderr).slice(-2000));
      const fresh = JSON.parse(new TextDecoder().decode(run.stdout));
      const committed = JSON.parse(await Deno.readTextFile(COMMITTED));

      // Go's own random-nonce signature changes every run but must still verify.
      assertEquals(fresh.signatures.go_random_nonce.go_verify, "ok");
      const ignored = ["source", ...committed.source.nondeterministic_paths];
      const diff = differences(withoutPaths(committed, ignored), withoutPaths(fresh, ignored));
      assertEquals(
        diff,
        [],
        `committed (left) and regenerated (right) differ:\n${diff.join("\n")}`,
      );
    } finally {
      await gen.cleanup();
    }
  },
});
