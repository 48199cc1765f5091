import type { ByteStream } from "./byte_stream.ts";
import { UnexpectedEofError } from "./errors.ts";

/** Read exactly `p.length` bytes; throws {@linkcode UnexpectedEofError} at end of stream. */
export async function readFull(
  r: Pick<ByteStream, "read">,
  p: Uint8Array,
  what?: string,
): Promise<void> {
  if (!(await readFullOrEof(r, p, what))) throw new UnexpectedEofError(what);
}

/**
 * Read exactly `p.length` bytes. Resolves `false` when the stream ended cleanly before the first
 * byte; throws {@linkcode UnexpectedEofError} when it ended part-way.
 */
export async function readFullOrEof(
  r: Pick<ByteStream, "read">,
  p: Uint8Array,
  what?: string,
): Promise<boolean> {
  let off = 0;
  while (off < p.length) {
    const n = await r.read(off === 0 ? p : p.subarray(off));
    if (n === null) {
      if (off === 0) return false;
      throw new UnexpectedEofError(what);
    }
    off += n;
  }
  return true;
}

/** Write all of `p`. */
export async function writeAll(w: Pick<ByteStream, "write">, p: Uint8Array): Promise<void> {
  let off = 0;
  while (off < p.length) off += await w.write(off === 0 ? p : p.subarray(off));
}
