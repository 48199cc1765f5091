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
