/** A temporary directory removed when disposed (`await using dir = await tempDir()`). */
export async function tempDir(
  prefix = "skywire-test-",
): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix });
  return {
    path,
    async [Symbol.asyncDispose]() {
      // Restore write permission first so a test that made it read-only can still clean up.
      await new Deno.Command("chmod", { args: ["-R", "u+rwx", path] }).output().catch(() => {});
      await Deno.remove(path, { recursive: true }).catch(() => {});
    },
  };
}
