/**
 * JSON as Go's standard `encoding/json` writes it, which is what the httpauth answers and the
 * transport discovery and address resolver use (not jsoniter): `<`, `>`, `&`, U+2028 and U+2029
 * are escaped, and a lone surrogate becomes U+FFFD.
 *
 * @module
 */

const encoder = new TextEncoder();

/** A JSON string literal for `text` as Go's `encoding/json` (HTML escaping on) writes it. */
export function goStdJsonString(text: string): string {
  return JSON.stringify(text).replace(
    /\\\\|\\u[dD][89a-fA-F][0-9a-fA-F]{2}|[<>&\u2028\u2029]/g,
    (match) => {
      // An escaped backslash is matched as a pair so that the `u` after it is not misread.
      if (match === "\\\\") return match;
      // JSON.stringify leaves only lone surrogates as escapes; Go writes U+FFFD for them.
      if (match.length === 6) return "\\ufffd";
      return `\\u${match.charCodeAt(0).toString(16).padStart(4, "0")}`;
    },
  );
}

/** A response whose body is Go's `json.Encoder` output: the JSON text and a newline. */
export function goJsonResponse(status: number, json: string): Response {
  return new Response(encoder.encode(json + "\n"), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/** The body of Go's `httpauth.NewHTTPErrorResponse`: `{"error":{"message":…,"code":N}}`. */
export function httpAuthErrorJson(code: number, message: string): string {
  return `{"error":{"message":${goStdJsonString(message)},"code":${code}}}`;
}
