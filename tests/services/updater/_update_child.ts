/**
 * Runs one update in a child process (for the case that needs other privileges than the test
 * runner's). Argument: JSON of the options below. Prints the outcome as one JSON line.
 */
import { parseReleasePublicKey } from "../../../mod/release/mod.ts";
import { runUpdate, UpdateError } from "../../../services/updater/mod.ts";
import { createLogger } from "../../../mod/log/mod.ts";

const args = JSON.parse(Deno.args[0]) as {
  source: string;
  target: string;
  version: string;
  stateDir: string;
  publicKey: string;
  buildTarget: string;
};
try {
  const result = await runUpdate({
    source: args.source,
    channel: "stable",
    trustedKeys: [parseReleasePublicKey(args.publicKey)],
    target: { path: args.target, version: args.version, self: false },
    stateDir: args.stateDir,
    install: true,
    bootTimeoutMs: 60_000,
    buildTarget: args.buildTarget,
    logger: createLogger({ level: "fatal" }),
  });
  console.log(JSON.stringify({ status: result.status }));
} catch (error) {
  console.log(JSON.stringify(
    error instanceof UpdateError
      ? { step: error.step, code: error.code, message: error.message }
      : { error: String(error) },
  ));
}
