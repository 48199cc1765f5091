/**
 * Responses whose body is bytes already in memory, which the server writes without reading
 * them back through the body's stream: a `Response` keeps no public handle on the bytes it
 * was made from, and reading a 500-byte answer through its `ReadableStream` costs more than
 * the rest of the request. The bytes are remembered beside the response (weakly: they go with
 * it); any response not made here, or whose body someone started to read, goes the stream way.
 *
 * @module
 */

const known = new WeakMap<Response, Uint8Array>();

/** A response with `body` as its bytes, which the HTTP server can send in one write. */
export function bytesResponse(
  body: Uint8Array,
  init?: ResponseInit,
): Response {
  const response = new Response(body as Uint8Array<ArrayBuffer>, init);
  known.set(response, body);
  return response;
}

/**
 * The bytes `response` was made from by {@linkcode bytesResponse}, if its body is still
 * unread; `undefined` otherwise (read its stream then).
 */
export function bytesOf(response: Response): Uint8Array | undefined {
  const bytes = known.get(response);
  return bytes && !response.bodyUsed ? bytes : undefined;
}
