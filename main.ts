/**
 * `skywire`: one executable that is a complete Skywire edge node. This file only hands the
 * command line to the CLI in `services/cli`.
 *
 * @module
 */
import { main } from "./services/cli/mod.ts";

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
