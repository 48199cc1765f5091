import type { ByteStream } from "./byte_stream.ts";
import { writeAll } from "./io.ts";

/** Options for {@linkcode pipe}. */
export interface PipeOptions {
  /** Size of each direction's copy buffer. Default 32 KiB. */
  bufferSize?: number;
}

/** Bytes moved in each direction. */
export interface PipeResult {
  /** Bytes copied from `a` to `b`. */
  aToB: number;
  /** Bytes copied from `b` to `a`. */
  bToA: number;
}

async function copy(from: ByteStream, to: ByteStream, size: number): Promise<number> {
  const buf = new Uint8Array(size);
  let total = 0;
  try {
    for (;;) {
      const n = await from.read(buf);
      if (n === null) break;
      // Each write completes before the next read: a slow writer slows the reader (backpressure).
      await writeAll(to, buf.subarray(0, n));
      total += n;
    }
    if (to.closeWrite) await to.closeWrite().catch(() => {});
    else to.close();
  } catch {
    from.close();
    to.close();
  }
  return total;
}

/**
 * Copy bytes both ways between `a` and `b` until both directions end, with backpressure. End of
 * stream on one side half-closes the other when it supports `closeWrite`; an error on either
 * side closes both. Both streams are closed when the pipe resolves.
 */
export async function pipe(
  a: ByteStream,
  b: ByteStream,
  options: PipeOptions = {},
): Promise<PipeResult> {
  const size = options.bufferSize ?? 32 * 1024;
  const [aToB, bToA] = await Promise.all([copy(a, b, size), copy(b, a, size)]);
  a.close();
  b.close();
  return { aToB, bToA };
}
