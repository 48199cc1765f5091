import { readAllLimited } from "../../mod/conn/mod.ts";

/** A request body over the size limit. */
export class BodyTooLargeError extends Error {
  /** Create the error. */
  constructor(limit: number) {
    super(`request body larger than ${limit} bytes`);
    this.name = "BodyTooLargeError";
  }
}

/**
 * Read a request body, refusing more than `limit` bytes: a declared `content-length` over the
 * limit is refused before reading, and a chunked body is cut off as soon as it passes it.
 * Throws {@linkcode BodyTooLargeError}.
 */
export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (declared > limit) {
    await request.body?.cancel().catch(() => {});
    throw new BodyTooLargeError(limit);
  }
  if (!request.body) return new Uint8Array(0);
  return await readAllLimited(request.body, {
    limit,
    tooLarge: () => new BodyTooLargeError(limit),
  });
}
