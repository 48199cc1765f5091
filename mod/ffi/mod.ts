/**
 * Optional system libraries over Deno FFI (libsecp256k1, libcrypto): found by name or by an
 * environment variable, opened once, and never a crash or a prompt when they are missing; and
 * {@linkcode trimNativeHeapWhileRunning}, glibc's `malloc_trim` while a long-running command runs.
 *
 * @module
 */
export { type OpenedLibrary, openSystemLibrary, type SystemLibrary } from "./open_library.ts";
export { LIBCRYPTO_ENV, libcryptoNames } from "./libcrypto.ts";
export {
  TRIM_AFTER_START_MS,
  TRIM_PERIOD_MS,
  trimNativeHeap,
  trimNativeHeapWhileRunning,
} from "./trim_native_heap.ts";
