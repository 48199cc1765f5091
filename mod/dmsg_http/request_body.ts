/**
 * Request bodies read without their stream: the server remembers beside each `Request` it
 * makes the connection's body behind it (weakly: it goes with the request), so that a handler
 * that wants the whole body in memory (`mod/http`'s `readBody`) reads it straight from the
 * connection. Reading a 500-byte body through the `ReadableStream` a `Request` exposes (reader,
 * pulls, promises, a copy per chunk) costs more than parsing its head. Any request not made by
 * the server, or whose body stream someone started to read, goes the stream way.
 *
 * @module
 */
import type { MessageBody } from "./_body.ts";

const bodies = new WeakMap<Request, MessageBody>();

/** The server made `request` with `body` behind its stream. */
export function attachRequestBody(request: Request, body: MessageBody): void {
  bodies.set(request, body);
}

/**
 * The whole body of `request` read straight from its connection when the server of this
 * module made it and its stream is untouched; `undefined` otherwise (read its stream then).
 * More than `limit` bytes throw `tooLarge()` (the body is given up, as a cancelled stream
 * would be); a body that ends early throws the connection's error.
 */
export function readRequestBody(
  request: Request,
  limit: number,
  tooLarge: () => Error,
): Promise<Uint8Array> | undefined {
  if (request.bodyUsed) return undefined;
  return bodies.get(request)?.readAll(limit, tooLarge);
}
