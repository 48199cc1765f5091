import { assert, assertEquals } from "@std/assert";

/** What a script run by {@linkcode runWithoutPermissions} printed, and how it ended. */
export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run `script` (TypeScript source) with no permissions at all and no prompt, under the
 * project's deno.json (so its imports resolve), from a file of its own: `deno eval` would grant
 * every permission.
 */
export async function runWithoutPermissions(script: string): Promise<ScriptResult> {
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(file, script);
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        "--no-check",
        "--config",
        new URL("../../deno.json", import.meta.url).pathname,
        file,
      ],
      env: { NO_COLOR: "1" },
      stdin: "null",
    }).output();
    const text = new TextDecoder();
    return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
  } finally {
    await Deno.remove(file);
  }
}

/**
 * Asserts that, in a run with no permissions, the module at `module` silently settles for its
 * `node` backend: `status()` (the automatic choice) says so with a note naming the missing FFI
 * permission, nothing is logged, and forcing `getter("ffi")` throws an error named `errorName`.
 */
export async function assertFfiFallbackWithoutPermissions(
  module: URL,
  getter: string,
  status: string,
  errorName: string,
): Promise<void> {
  const script = `import { ${getter}, ${status} } from ${JSON.stringify(module.href)};
    let forced; try { ${getter}("ffi"); forced = "loaded"; } catch (e) { forced = e.name; }
    console.log(JSON.stringify({ ...${status}(), forced }));`;
  const { code, stdout, stderr } = await runWithoutPermissions(script);
  assertEquals(code, 0, stderr);
  assertEquals(stderr, "", "nothing logged");
  const result = JSON.parse(stdout);
  assertEquals(result.backend, "node");
  assert(/FFI permission/.test(result.note), result.note);
  assertEquals(result.forced, errorName);
}
