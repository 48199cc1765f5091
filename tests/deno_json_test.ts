/**
 * The benchmarks and the browser tests run with their own configs (tests/bench/deno.json,
 * tests/ui/browser.deno.json) so that their extra npm packages stay out of the root lock; each
 * repeats the root deno.json's import map and compiler settings. These tests fail when one of
 * them drifts: a version bumped in one place only, a mapping missing, a relative path that no
 * longer lands on the same file.
 */
import { assertEquals } from "@std/assert";

const ROOT = new URL("../deno.json", import.meta.url);
const SUB_CONFIGS = [
  new URL("./bench/deno.json", import.meta.url),
  new URL("./ui/browser.deno.json", import.meta.url),
];

interface DenoConfig {
  imports?: Record<string, string>;
  unstable?: string[];
  nodeModulesDir?: string;
  compilerOptions?: Record<string, unknown>;
  fmt?: { lineWidth?: number };
}

/** The config at `url`; the sub-configs open with whole-line `//` comments (JSONC). */
async function readConfig(url: URL): Promise<DenoConfig> {
  const text = await Deno.readTextFile(url);
  return JSON.parse(text.split("\n").filter((line) => !/^\s*\/\//.test(line)).join("\n"));
}

/** A mapping's target as one comparable string: relative paths resolved from the config. */
function target(value: string, config: URL): string {
  return value.startsWith("./") || value.startsWith("../") ? new URL(value, config).href : value;
}

/** How `sub` (at `subUrl`) differs from `root` (at `rootUrl`) where it must not; [] if not. */
function drift(root: DenoConfig, rootUrl: URL, sub: DenoConfig, subUrl: URL): string[] {
  const problems: string[] = [];
  for (const [specifier, value] of Object.entries(root.imports ?? {})) {
    const mapped = sub.imports?.[specifier];
    if (mapped === undefined) problems.push(`${specifier} is not mapped`);
    else if (target(mapped, subUrl) !== target(value, rootUrl)) {
      problems.push(`${specifier} maps to ${mapped}, the root to ${value}`);
    }
  }
  const same = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) problems.push(`${what} differs`);
  };
  same("unstable", sub.unstable, root.unstable);
  same("nodeModulesDir", sub.nodeModulesDir, root.nodeModulesDir);
  same("compilerOptions", sub.compilerOptions, root.compilerOptions);
  same("fmt.lineWidth", sub.fmt?.lineWidth, root.fmt?.lineWidth);
  return problems;
}

Deno.test("the bench and browser configs repeat the root deno.json's imports and settings", async () => {
  const root = await readConfig(ROOT);
  for (const url of SUB_CONFIGS) {
    assertEquals(drift(root, ROOT, await readConfig(url), url), [], url.pathname);
  }
});

Deno.test("drift is caught: a missing mapping, a bumped version, a path off by one folder", async () => {
  const root = await readConfig(ROOT);
  const url = SUB_CONFIGS[0];
  const sub = await readConfig(url);
  const imports = { ...sub.imports };
  delete imports["@std/async"];
  imports["hono"] = imports["hono"].replace(
    /@(\d+)\.(\d+)\.(\d+)$/,
    (_, a, b, c) => `@${a}.${b}.${+c + 1}`,
  );
  imports["@std/cli"] = imports["@std/cli"].replace("../../", "../");
  const drifted = { ...sub, imports, compilerOptions: { ...sub.compilerOptions, strict: false } };
  assertEquals(drift(root, ROOT, drifted, url).map((p) => p.split(" ")[0]), [
    "hono",
    "@std/cli",
    "@std/async",
    "compilerOptions",
  ]);
});

Deno.test("the start, skywire and build tasks run with the runtime flags a service unit gets", async () => {
  const { RUNTIME_FLAGS } = await import("../mod/launch/mod.ts");
  const tasks = (JSON.parse(await Deno.readTextFile(ROOT)) as { tasks: Record<string, string> })
    .tasks;
  for (const name of ["start", "skywire", "build"]) {
    const words = tasks[name].split(/\s+/);
    for (const flag of RUNTIME_FLAGS) {
      // build runs deno compile twice: every run needs every flag.
      const runs = tasks[name].split("&&").length;
      assertEquals(words.filter((word) => word === flag).length, runs, `${name}: ${flag}`);
    }
  }
});
