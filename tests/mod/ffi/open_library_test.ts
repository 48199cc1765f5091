import { assert, assertEquals, assertMatch } from "@std/assert";
import { openSystemLibrary } from "../../../mod/ffi/mod.ts";
import { runWithoutPermissions } from "../../_util/no_permissions.ts";

// glibc is on every Linux machine the tests run on; getpid needs no arguments.
const LIBC = "libc.so.6";
const SYMBOLS = { getpid: { parameters: [], result: "i32" } } as const;
const linux = Deno.build.os === "linux";
// A candidate that is not there, then libc.
const MISSING_THEN_LIBC = {
  what: "libc",
  envVariable: "SKYWIRE_TEST_UNSET_LIB",
  names: ["libnot-there.so.9", LIBC],
  symbols: SYMBOLS,
};

Deno.test({
  name: "openSystemLibrary: the first candidate that opens and sets up is kept",
  ignore: !linux,
  fn() {
    const opened = openSystemLibrary({ ...MISSING_THEN_LIBC, make: (symbols) => symbols.getpid() });
    assertEquals(opened.value, Deno.pid);
    assert(opened.value !== undefined && opened.library === LIBC);
  },
});

Deno.test({
  name: "openSystemLibrary: a set-up refusal or a missing file is a reason naming each candidate",
  ignore: !linux,
  fn() {
    const opened = openSystemLibrary({
      ...MISSING_THEN_LIBC,
      make: (): number | undefined => undefined,
    });
    assertEquals(opened.value, undefined);
    assert(opened.value === undefined);
    assertMatch(
      opened.reason,
      /^libc not loaded \(libnot-there\.so\.9: .+; libc\.so\.6: set-up failed\)$/,
    );
    assert(!opened.reason.includes("Could not open library: Could not open"), opened.reason);
  },
});

Deno.test({
  name: "openSystemLibrary: the environment variable's library is tried first",
  ignore: !linux,
  fn() {
    const tried: string[] = [];
    Deno.env.set("SKYWIRE_TEST_FFI_LIB", "libchosen-by-env.so.1");
    try {
      const opened = openSystemLibrary({
        what: "libc",
        envVariable: "SKYWIRE_TEST_FFI_LIB",
        names: [LIBC],
        symbols: SYMBOLS,
        make: (symbols) => (tried.push("made"), symbols.getpid()),
      });
      assert(opened.value !== undefined);
      assertEquals(tried, ["made"]);
      const refused = openSystemLibrary({
        what: "libc",
        envVariable: "SKYWIRE_TEST_FFI_LIB",
        names: [],
        symbols: SYMBOLS,
        make: (symbols) => symbols.getpid(),
      });
      assert(refused.value === undefined);
      assertMatch(refused.reason, /^libc not loaded \(libchosen-by-env\.so\.1: /);
    } finally {
      Deno.env.delete("SKYWIRE_TEST_FFI_LIB");
    }
  },
});

Deno.test("openSystemLibrary: without the FFI permission the reason says so, with no prompt", async () => {
  const script = `import { openSystemLibrary } from ${
    JSON.stringify(
      new URL("../../../mod/ffi/mod.ts", import.meta.url).href,
    )
  };
const opened = openSystemLibrary({ what: "libc", envVariable: "X_LIB", names: ["${LIBC}"],
  symbols: { getpid: { parameters: [], result: "i32" } }, make: (s) => s.getpid() });
console.log(JSON.stringify(opened));`;
  const { code, stdout, stderr } = await runWithoutPermissions(script);
  assertEquals(code, 0, stderr);
  assertEquals(JSON.parse(stdout), { reason: "no FFI permission (--allow-ffi)" });
});

Deno.test({
  name: "openSystemLibrary: a set-up that throws is a reason, and that library is closed again",
  ignore: !linux,
  fn() {
    // zlib: on every Linux machine the tests run on, and mapped by nothing else here (libc is
    // always mapped, so unmapping cannot be seen with it).
    const mapped = () => Deno.readTextFileSync("/proc/self/maps").includes("/libz.so");
    assertEquals(mapped(), false);
    let made = false;
    const opened = openSystemLibrary({
      what: "zlib",
      envVariable: "SKYWIRE_TEST_UNSET_LIB",
      names: ["libz.so.1"],
      symbols: { zlibVersion: { parameters: [], result: "pointer" } },
      make: (): number => {
        made = mapped();
        throw new Error("no such thing");
      },
    });
    assert(opened.value === undefined);
    assertEquals(opened.reason, "zlib not loaded (libz.so.1: no such thing)");
    assert(made, "the library was open during set-up");
    assertEquals(mapped(), false, "the library whose set-up threw is still open");
  },
});
