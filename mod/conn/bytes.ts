/** Options for {@linkcode readAllLimited}. */
export interface ReadAllLimitedOptions {
  /** Most bytes accepted. */
  limit: number;
  /** The error to throw when the stream carries more than `limit` bytes. */
  tooLarge: () => Error;
}

/** Join `parts` into one new array (`total` is their summed length when the caller knows it). */
export function concatBytes(parts: Uint8Array[], total?: number): Uint8Array {
  const out = new Uint8Array(total ?? parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Read a whole byte stream, refusing more than `limit` bytes: as soon as the total passes the
 * limit the stream is cancelled and `tooLarge()` is thrown, so a peer cannot make us buffer an
 * unbounded body.
 */
export async function readAllLimited(
  stream: ReadableStream<Uint8Array>,
  options: ReadAllLimitedOptions,
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > options.limit) {
        await reader.cancel().catch(() => {});
        throw options.tooLarge();
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  // A body that came in one chunk is returned as is, without a copy.
  return chunks.length === 1 ? chunks[0] : concatBytes(chunks, size);
}
