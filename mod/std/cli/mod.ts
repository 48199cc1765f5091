/**
 * A local stand-in for `@std/cli`, exposing the same `parseArgs` API.
 *
 * JSR cannot be reached from the build machines, so `deno.json` maps `@std/cli` here. The
 * tokenising follows `node:util` `parseArgs` (its algorithm, without loading Deno's Node
 * compatibility layer at every start); this module adds the std semantics on top (aliases,
 * negatable booleans, collect, defaults, stopEarly, `--`, unknown-flag callback).
 * Switching to the real package later is a one-line import-map change.
 *
 * @module
 */
export { parseArgs } from "./parse_args.ts";
export type { Args, ParseOptions } from "./parse_args.ts";
