import { createHash } from "node:crypto";

/** SHA-256 of `data` (native implementation). */
export function sha256(...data: Uint8Array[]): Uint8Array {
  const hash = createHash("sha256");
  for (const part of data) hash.update(part);
  const digest = hash.digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}
