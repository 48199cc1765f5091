/**
 * JSON answers as Skywire's Go services write them: `content-type: application/json` and, for
 * messages and errors, the `{"message":"…","code":N}` body (Go's field order).
 *
 * @module
 */

import { bytesResponse } from "../dmsg_http/bytes_response.ts";

const encoder = new TextEncoder();

/**
 * A response with a JSON body given as bytes or text; the server writes the bytes as they are,
 * without reading them back through the body's stream.
 */
export function jsonResponse(status: number, body: Uint8Array | string): Response {
  return bytesResponse(typeof body === "string" ? encoder.encode(body) : body, {
    status,
    headers: { "content-type": "application/json" },
  });
}

/**
 * A JSON string as Go's jsoniter (`ConfigFastest`) writes a valid UTF-16 string: only `"`, `\`
 * and control characters are escaped, `\n` `\r` `\t` short and the others as `\u00xx` (where
 * `JSON.stringify` writes `\b` and `\f`). No HTML escaping.
 */
export function goJsonString(text: string): string {
  // Escapes are matched pairwise from the left, so an escaped backslash before a `b` stays one.
  return JSON.stringify(text).replace(
    /\\(.)/g,
    (pair, c) => c === "b" ? "\\u0008" : c === "f" ? "\\u000c" : pair,
  );
}

/** Go's `{"message":"…","code":N}` body. */
export function messageBytes(code: number, message: string): Uint8Array {
  return encoder.encode(`{"message":${goJsonString(message)},"code":${code}}`);
}

/** A response with status `status` and the body {@linkcode messageBytes}`(status, message)`. */
export function messageResponse(status: number, message: string): Response {
  return jsonResponse(status, messageBytes(status, message));
}
