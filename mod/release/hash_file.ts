import { createHash } from "node:crypto";
import { bytesToHex } from "../cipher/mod.ts";

/** Options for {@linkcode hashFile}. */
export interface HashFileOptions {
  /** Called after each chunk with bytes hashed so far and the file size. */
  onProgress?: (done: number, total: number) => void;
  /** Read buffer size; default 1 MiB. */
  chunkSize?: number;
  /** Stop early. */
  signal?: AbortSignal;
}

/** The result of {@linkcode hashFile}. */
export interface FileDigest {
  /** Bytes read. */
  size: number;
  /** SHA-256, lowercase hex. */
  sha256: string;
}

/** SHA-256 and size of a file, streamed with one reused buffer (big binaries on small boards). */
export async function hashFile(path: string, options: HashFileOptions = {}): Promise<FileDigest> {
  using file = await Deno.open(path, { read: true });
  const total = (await file.stat()).size;
  const buffer = new Uint8Array(options.chunkSize ?? 1024 * 1024);
  const hash = createHash("sha256");
  let size = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    const n = await file.read(buffer);
    if (n === null) break;
    hash.update(buffer.subarray(0, n));
    size += n;
    options.onProgress?.(size, total);
  }
  return { size, sha256: bytesToHex(new Uint8Array(hash.digest())) };
}
