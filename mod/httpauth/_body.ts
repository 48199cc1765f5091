import { readAllLimited } from "../conn/mod.ts";

/** A request body over the size limit. */
export class BodyTooLargeError extends Error {
  /** Create the error. */
  constructor(limit: number) {
    super(`request body larger than ${limit} bytes`);
    this.name = "BodyTooLargeError";
  }
}

/** Read a request body of at most `limit` bytes (a larger declared length is refused unread). */
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
