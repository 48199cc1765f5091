/**
 * ChaCha20-Poly1305 seal+open throughput of each AEAD backend at 1 KiB, 4 KiB (one dmsg frame)
 * and 64 KiB, and the node:crypto / noble and libcrypto (FFI) / node:crypto ratios measured in
 * the same run (the FFI row only where the library loads).
 *
 * Run: `deno run -A tests/bench/aead_bench.ts`
 *
 * @module
 */
import { type Aead, getAead, loadAead } from "../../mod/noise/mod.ts";

const SIZES = [1024, 4070, 64 * 1024];
const MIN_SECONDS = 0.5;

/** Seal then open `size`-byte messages for at least MIN_SECONDS; returns MB/s (10^6 bytes) of plaintext. */
function measure(aead: Aead, size: number): number {
  const key = crypto.getRandomValues(new Uint8Array(32));
  const nonce = new Uint8Array(12);
  const plaintext = crypto.getRandomValues(new Uint8Array(size));
  const sealed = new Uint8Array(size + 16);
  const empty = new Uint8Array(0);
  const view = new DataView(nonce.buffer);
  let bytes = 0, n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < MIN_SECONDS * 1000) {
    for (let i = 0; i < 16; i++) {
      view.setUint32(4, ++n, true);
      aead.seal(key, nonce, plaintext, empty, sealed);
      if (aead.open(key, nonce, sealed, empty).length !== size) {
        throw new Error("round trip failed");
      }
      bytes += size;
    }
    elapsed = performance.now() - start;
  }
  return bytes / 1e6 / (elapsed / 1000);
}

/** Print one line per size: MB/s per backend and their ratios. */
export async function main(): Promise<void> {
  const node = await loadAead("node"), noble = await loadAead("noble");
  let ffi: Aead | undefined;
  try {
    ffi = getAead("ffi");
  } catch (error) {
    console.log(`  (libcrypto ffi row skipped: ${(error as Error).message})`);
  }
  for (const aead of [ffi, node, noble]) if (aead) measure(aead, 4070); // warm up before timing
  console.log(`AEAD seal+open (plaintext MB/s), auto backend = ${getAead().name}`);
  for (const size of SIZES) {
    const fast = measure(node, size), slow = measure(noble, size);
    const native = ffi ? measure(ffi, size) : undefined;
    console.log(
      `  ${String(size).padStart(6)} B   ` +
        (native === undefined ? "" : `libcrypto ffi ${native.toFixed(1).padStart(7)} MB/s   `) +
        `node:crypto ${fast.toFixed(1).padStart(7)} MB/s   noble ${slow.toFixed(1).padStart(6)} ` +
        `MB/s   ratio node/noble ${(fast / slow).toFixed(2)}x` +
        (native === undefined ? "" : `, ffi/node ${(native / fast).toFixed(2)}x`),
    );
  }
}

if (import.meta.main) await main();
