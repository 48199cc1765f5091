/**
 * The command lines that run skywire again: one per way of starting it, for a person at a
 * shell and for systemd, with words quoted so a shell reads them back unchanged.
 */
import { assertEquals, assertThrows } from "@std/assert";
import {
  type Launch,
  needsProjectDir,
  serviceCommand,
  shellCommand,
  shellQuote,
} from "../../../mod/launch/mod.ts";

const ARGS = ["dmsg", "curl", "-d", "http://127.0.0.1:9090", "dmsg://02ab:80/health"];
const TAIL = ARGS.join(" ");
const DENO = "/root/.npm/_npx/x/node_modules/deno/deno";
const MAIN = "/home/you/skywire-deno/main.ts";

function launch(kind: Launch["kind"], over: Partial<Launch> = {}): Launch {
  return {
    kind,
    execPath: kind === "compiled" ? "/usr/local/bin/skywire" : DENO,
    mainPath: kind === "compiled" ? undefined : MAIN,
    projectDir: kind === "compiled" ? undefined : "/home/you/skywire-deno",
    denoVersion: "2.9.6",
    denoCommand: "deno",
    ...over,
  };
}

Deno.test("shellCommand: the form for each way of starting skywire", () => {
  assertEquals(shellCommand(launch("compiled"), ARGS), `/usr/local/bin/skywire ${TAIL}`);
  assertEquals(shellCommand(launch("deno_run"), ARGS), `deno run -A ${MAIN} ${TAIL}`);
  assertEquals(
    shellCommand(launch("deno_run", { denoCommand: DENO }), ARGS),
    `${DENO} run -A ${MAIN} ${TAIL}`,
  );
  assertEquals(shellCommand(launch("deno_task"), ARGS), `deno task skywire ${TAIL}`);
  assertEquals(
    shellCommand(launch("npx_run"), ARGS),
    `npx -y deno@2.9.6 run -A ${MAIN} ${TAIL}`,
  );
  assertEquals(shellCommand(launch("npx_task"), ARGS), `npx -y deno@2.9.6 task skywire ${TAIL}`);
  for (const kind of ["compiled", "deno_run", "npx_run"] as const) {
    assertEquals(needsProjectDir(launch(kind)), false, kind);
  }
  assertEquals(needsProjectDir(launch("deno_task")), true);
  assertEquals(needsProjectDir(launch("npx_task")), true);
});

Deno.test("serviceCommand: absolute runtime and main.ts with the node's permissions", () => {
  assertEquals(serviceCommand(launch("compiled"), ["visor", "-c", "/etc/c.json"]), [
    "/usr/local/bin/skywire",
    "visor",
    "-c",
    "/etc/c.json",
  ]);
  for (const kind of ["deno_run", "deno_task", "npx_run", "npx_task"] as const) {
    assertEquals(serviceCommand(launch(kind), ["visor"]), [
      DENO,
      "run",
      "-A",
      "--unstable-kv",
      "--no-code-cache",
      "--v8-flags=--max-semi-space-size=4,--optimize-for-size,--no-concurrent-recompilation",
      MAIN,
      "visor",
    ]);
  }
  assertThrows(() => serviceCommand(launch("deno_run", { mainPath: undefined }), ["visor"]));
});

Deno.test("shellQuote: a POSIX shell reads every word back unchanged", async () => {
  const words = ["plain", "/a b/c", "it's", "", "$HOME", 'a"b', "x;rm", "dmsg://02:80/health"];
  const line = words.map(shellQuote).join(" ");
  const out = await new Deno.Command("sh", {
    args: ["-c", `for w in ${line}; do printf '%s\\0' "$w"; done`],
  }).output();
  const back = new TextDecoder().decode(out.stdout).split("\0").slice(0, -1);
  assertEquals(back, words);
  assertEquals(shellQuote("dmsg://02:80/health"), "dmsg://02:80/health");
});
