/**
 * A local stand-in for `@std/async` with the same names and signatures for the functions this
 * project uses (`delay`, `deadline`, `debounce`, `retry`, `abortable`). JSR is not reachable from
 * the build machines; `deno.json` maps `@std/async` here.
 *
 * @module
 */
export { delay } from "./delay.ts";
export type { DelayOptions } from "./delay.ts";
export { deadline } from "./deadline.ts";
export type { DeadlineOptions } from "./deadline.ts";
export { debounce } from "./debounce.ts";
export type { DebouncedFunction } from "./debounce.ts";
export { retry, RetryError } from "./retry.ts";
export type { RetryOptions } from "./retry.ts";
export { abortable } from "./abortable.ts";
