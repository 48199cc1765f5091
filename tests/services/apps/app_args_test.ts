import { assertEquals, assertThrows } from "@std/assert";
import { appArgs, AppArgsError, parseAppArgs } from "../../../services/apps/mod.ts";

const spec = {
  srv: "string",
  addr: "string",
  reconnect: "boolean",
  n: "integer",
  wait: "duration",
} as const;

Deno.test("app args: Go flag forms", () => {
  assertEquals(
    parseAppArgs(["-addr", ":1080", "--srv=02ab", "-reconnect=false", "-n", "3"], spec),
    {
      addr: ":1080",
      srv: "02ab",
      reconnect: false,
      n: 3,
    },
  );
  assertEquals(parseAppArgs(["--reconnect", "-wait", "1m30s"], spec), {
    reconnect: true,
    wait: 90_000,
  });
  assertEquals(parseAppArgs([], spec), {});
});

Deno.test("app args: unknown flags, missing values and strays are errors", () => {
  for (
    const args of [
      ["-nope"],
      ["-addr"],
      ["stray"],
      ["-reconnect=maybe"],
      ["-n", "x"],
      ["-wait", "soon"],
      ["---addr", "x"],
      ["-"],
    ]
  ) {
    assertThrows(() => parseAppArgs(args, spec), AppArgsError, undefined, args.join(" "));
  }
});

Deno.test("app args: Go 2024's merged-binary form 'app NAME ...' is the app's own args after it", () => {
  assertEquals(appArgs("skysocks-client", ["app", "skysocks-client", "--addr", ":1080"]), [
    "--addr",
    ":1080",
  ]);
  assertEquals(appArgs("skysocks", ["app", "skysocks-client"]), ["app", "skysocks-client"]);
  assertEquals(appArgs("skysocks", ["-passcode", "x"]), ["-passcode", "x"]);
});
