/**
 * `trimNativeHeap` runs glibc's `malloc_trim` where it can and is a silent no-op where it
 * cannot. (What it gives back is measured by `tests/bench/up_idle_bench.ts`, `up_cold`.)
 */
import { assert, assertEquals } from "@std/assert";
import { TRIM_AFTER_START_MS, trimNativeHeap } from "../../../mod/ffi/mod.ts";
import { runWithoutPermissions } from "../../_util/no_permissions.ts";

Deno.test({
  name: "trimNativeHeap runs on Linux (glibc) and leaves no library open",
  ignore: Deno.build.os !== "linux",
  fn() {
    // The test's resource sanitizer checks that the library handle is closed again.
    assert(trimNativeHeap());
    assert(trimNativeHeap(), "a second call runs too");
  },
});

Deno.test("trimNativeHeap without the FFI permission does nothing, never prompts nor logs", async () => {
  const module = new URL("../../../mod/ffi/mod.ts", import.meta.url).href;
  const { code, stdout, stderr } = await runWithoutPermissions(
    `import { trimNativeHeap } from ${JSON.stringify(module)};
    console.log(JSON.stringify(trimNativeHeap()));`,
  );
  assertEquals(code, 0, stderr);
  assertEquals(stderr, "");
  assertEquals(stdout.trim(), "false");
});

Deno.test({
  name: "trimNativeHeapWhileRunning: once its signal aborts, no later trim keeps the process alive",
  ignore: Deno.build.os !== "linux",
  async fn() {
    // A process whose only pending work would be the later trim (15 s away) must end at once.
    const module = new URL("../../../mod/ffi/mod.ts", import.meta.url).href;
    const file = await Deno.makeTempFile({ suffix: ".ts" });
    try {
      await Deno.writeTextFile(
        file,
        `import { trimNativeHeapWhileRunning } from ${JSON.stringify(module)};
        const running = new AbortController();
        trimNativeHeapWhileRunning(running.signal);
        trimNativeHeapWhileRunning(AbortSignal.abort());
        running.abort();`,
      );
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--no-check", file],
        stdout: "null",
        stderr: "piped",
      }).spawn();
      const killer = setTimeout(() => child.kill(), TRIM_AFTER_START_MS / 2);
      const { code, stderr } = await child.output();
      clearTimeout(killer);
      assertEquals(code, 0, new TextDecoder().decode(stderr));
    } finally {
      await Deno.remove(file);
    }
  },
});
