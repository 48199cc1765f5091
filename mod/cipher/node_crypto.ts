import type * as NodeCrypto from "node:crypto";

let loaded: typeof NodeCrypto | undefined;

/**
 * The runtime's `node:crypto`, loaded at the first call rather than imported: loading it starts
 * Deno's Node compatibility layer, ~15-25 ms of start-up CPU here, which a process whose
 * crypto runs on the system's libraries (libcrypto, libsecp256k1 over FFI) never needs. The
 * backends that use it (AEAD, secp256k1 and SHA-256 fallbacks) call this on use.
 */
export function nodeCrypto(): typeof NodeCrypto {
  return loaded ??= globalThis.process.getBuiltinModule("node:crypto");
}
