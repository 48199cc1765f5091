import { openFfiSecp256k1 } from "./_secp256k1_ffi.ts";
import { CipherError } from "./errors.ts";
import { sha256 } from "./hash.ts";
import { hexToBytes } from "./hex.ts";
import type { Secp256k1Backend, Secp256k1Choice } from "./secp256k1.ts";

// Known answers the native backend must reproduce before it is trusted, from the Go reference
// (tests/testdata/go-skywire-2024-vectors.json: `keys`, `ecdh.pairs[0]`, `signatures.cases[0]`).
const KAT_SK = "11eb2d3a778ce03a0073e23db79e8a909af648eef221b2f0b72e79139eb967f8";
const KAT_PK = "021a5314c394980a80c3a3f457c54a0850c2ec8a678e30ad2c931c5f9b3e1dd644";
const KAT_PEER_PK = "02087c845fc773c8954e279795ecc04ed6d62593edfc6a085e856d9b0a1b325719";
const KAT_ECDH = "c572b4795e906244f943bab96f7953f41e2ead5efd891518b9d6c2b070e344e0";
const KAT_PAYLOAD = "skywire signed payload";
const KAT_SIG = "a56a0fc71e960eca3996408463beeef6613b741707d235a9757af965234d7dbf" +
  "527eb4b033e7c1c0520b13d76370f7ba0a53632594ef79789dd172a05382eb7801";

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Whether `backend` reproduces the Go reference's public key, ECDH output and (RFC 6979)
 * signature, accepts that signature, rejects it with the other recovery parity and rejects a
 * point off the curve. Never throws: a missing curve or a broken implementation just fails.
 */
export function secp256k1SelfTest(backend: Secp256k1Backend): boolean {
  try {
    const sk = hexToBytes(KAT_SK), pk = hexToBytes(KAT_PK);
    if (!equalBytes(backend.publicKey(sk), pk)) return false;
    if (!backend.isValidPoint(pk) || backend.isValidPoint(hexToBytes("02" + "00".repeat(32)))) {
      return false;
    }
    const shared = backend.sharedPoint(sk, hexToBytes(KAT_PEER_PK));
    if (!equalBytes(sha256(shared), hexToBytes(KAT_ECDH))) return false;
    const hash = sha256(new TextEncoder().encode(KAT_PAYLOAD));
    const sig = backend.sign(hash, sk);
    if (!equalBytes(sig, hexToBytes(KAT_SIG)) || backend.recover(sig, hash, pk) !== "match") {
      return false;
    }
    sig[64] ^= 1;
    return backend.recover(sig, hash, pk) === "mismatch";
  } catch {
    return false;
  }
}

/** The `node:crypto` backend, imported when first asked for (with `@noble/curves` under it). */
async function loadNode(): Promise<Secp256k1Backend> {
  return (await import("./_secp256k1_node.ts")).nodeSecp256k1;
}

/** The `@noble/curves` backend, imported when first asked for. */
async function loadNoble(): Promise<Secp256k1Backend> {
  return (await import("./_secp256k1_noble.ts")).nobleSecp256k1;
}

// The automatic choice is made once per process, when this module loads: it is a pure function
// of the runtime (and the system's libraries). Where libsecp256k1 passes its self-test (~0.3 ms)
// neither other backend is imported: `@noble/curves` and `node:crypto` cost a process ~2 MiB of
// heap. With the library opened once in _secp256k1_ffi.ts, this is the only module-level state
// in mod/cipher. Choosing here also opens the library when this module loads rather than on
// first use: one opened inside a `Deno.test` is reported as a leak by the test's resource
// sanitizer (it stays open for the life of the process on purpose).
const autoChoice: Secp256k1Backend = await pickAuto();

async function pickAuto(): Promise<Secp256k1Backend> {
  const ffi = openFfiSecp256k1().backend;
  if (ffi !== undefined && secp256k1SelfTest(ffi)) return ffi;
  const node = await loadNode();
  return secp256k1SelfTest(node) ? node : await loadNoble();
}

/**
 * The secp256k1 backend to use. `"auto"` (the default) returns the first of these that is there
 * and passes {@linkcode secp256k1SelfTest}: the system's libsecp256k1 over FFI (needs
 * `--allow-ffi`; `SKYWIRE_SECP256K1_LIB` names the library file), the runtime's `node:crypto`,
 * and `@noble/curves` (pure JavaScript, always there). `"ffi"` forces libsecp256k1 and throws a
 * {@linkcode CipherError} saying why when the library cannot be used; the other backends are
 * imported only on demand, through {@linkcode loadSecp256k1}.
 */
export function getSecp256k1(choice: "auto" | "ffi" = "auto"): Secp256k1Backend {
  if (choice === "ffi") {
    const ffi = openFfiSecp256k1();
    if (ffi.backend === undefined) throw new CipherError(`secp256k1 ffi backend: ${ffi.reason}`);
    return ffi.backend;
  }
  return autoChoice;
}

/**
 * {@linkcode getSecp256k1}, or a forced `"node"` or `"noble"` backend, importing it first
 * (tests and benchmarks compare the backends).
 */
export function loadSecp256k1(choice: Secp256k1Choice = "auto"): Promise<Secp256k1Backend> {
  if (choice === "node") return loadNode();
  if (choice === "noble") return loadNoble();
  return Promise.resolve().then(() => getSecp256k1(choice));
}

/** Which backend `"auto"` uses and, when it is not libsecp256k1, why not: for operators. */
export function secp256k1Status(): { backend: Secp256k1Backend["name"]; note?: string } {
  const backend = getSecp256k1().name;
  if (backend === "ffi") return { backend };
  const ffi = openFfiSecp256k1();
  return { backend, note: ffi.backend ? "libsecp256k1 failed its self-test" : ffi.reason };
}
