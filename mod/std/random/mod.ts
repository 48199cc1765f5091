/**
 * A local stand-in for `@std/random` with the same names and signatures for the functions this
 * project uses (`shuffle`). JSR is not reachable from the build machines; `deno.json` maps
 * `@std/random` here.
 *
 * @module
 */
export { shuffle } from "./shuffle.ts";
export type { Prng, RandomOptions } from "./shuffle.ts";
