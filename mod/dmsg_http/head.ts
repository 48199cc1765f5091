import { HttpParseError } from "./errors.ts";

/** HTTP versions spoken here (HTTP/1.1 over a dmsg stream, as Go's dmsghttp). */
export type HttpVersion = "HTTP/1.0" | "HTTP/1.1";

/** A parsed request line and header fields. */
export interface RequestHead {
  /** Method, as sent (case-sensitive). */
  method: string;
  /** Request target: origin form (`/path?query`), absolute form, or `*`. */
  target: string;
  /** Protocol version. */
  version: HttpVersion;
  /** Header fields. */
  headers: Headers;
  /**
   * The same fields as name/value pairs in the order sent: what a `Request` is built from
   * (taking a `Headers` costs its constructor three times as much, in time and garbage).
   */
  fields: Array<[string, string]>;
}

/** A parsed status line and header fields. */
export interface ResponseHead {
  /** Protocol version. */
  version: HttpVersion;
  /** Status code (100 to 999). */
  status: number;
  /** Reason phrase (may be empty). */
  statusText: string;
  /** Header fields. */
  headers: Headers;
}

// RFC 9110 §5.6.2 token characters.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// A request target: visible ASCII only (no spaces, no controls).
const TARGET = /^[\x21-\x7e]+$/;
const VERSION = /^HTTP\/(\d)\.(\d)$/;
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+:/;
// Field values: HTAB, visible ASCII, space and obs-text; nothing else (no CR, LF, NUL).
// deno-lint-ignore no-control-regex -- matching control bytes is the point.
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;
const MAX_METHOD_LENGTH = 64;

/** Bytes as ISO-8859-1 text (what HTTP heads are; `Headers` takes byte strings). */
export function latin1(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096) as unknown as number[]);
  }
  return text;
}

function parseVersion(text: string): HttpVersion {
  const match = VERSION.exec(text);
  if (!match) throw new HttpParseError(`malformed HTTP version "${clip(text)}"`);
  if (match[1] !== "1") throw new HttpParseError(`unsupported HTTP version ${text}`, 505);
  return match[2] === "0" ? "HTTP/1.0" : "HTTP/1.1";
}

function clip(text: string): string {
  return text.length > 40 ? text.slice(0, 40) + "…" : text;
}

/** Split a head into lines (CRLF or LF endings); the final empty line is dropped. */
function headLines(head: Uint8Array): string[] {
  const text = latin1(head);
  const lines = text.split("\n");
  // A head ends with an empty line: the split leaves two empty strings at the end.
  lines.length = Math.max(0, lines.length - 2);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    lines[i] = line.endsWith("\r") ? line.slice(0, -1) : line;
  }
  return lines;
}

/** `text` from `from` without leading and trailing SP/HTAB (a loop: no regex backtracking). */
function trimSpaces(text: string, from: number): string {
  let start = from;
  let end = text.length;
  while (start < end && (text.charCodeAt(start) === 0x20 || text.charCodeAt(start) === 0x09)) {
    start++;
  }
  while (end > start && (text.charCodeAt(end - 1) === 0x20 || text.charCodeAt(end - 1) === 0x09)) {
    end--;
  }
  return text.slice(start, end);
}

function parseFields(lines: string[], pairs?: Array<[string, string]>): Headers {
  const headers = new Headers();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith(" ") || line.startsWith("\t")) {
      throw new HttpParseError("obsolete line folding in a header field");
    }
    const match = FIELD_NAME.exec(line);
    if (!match) throw new HttpParseError(`malformed header field "${clip(line)}"`);
    const name = match[0].slice(0, -1);
    const value = trimSpaces(line, match[0].length);
    if (BAD_VALUE.test(value)) {
      throw new HttpParseError(`control character in header field ${name}`);
    }
    headers.append(name, value);
    pairs?.push([name, value]);
  }
  return headers;
}

/** Parse a request head (as returned by reading up to the empty line). */
export function parseRequestHead(head: Uint8Array): RequestHead {
  const lines = headLines(head);
  if (lines.length === 0) throw new HttpParseError("empty request head");
  const parts = lines[0].split(" ");
  if (parts.length !== 3) throw new HttpParseError(`malformed request line "${clip(lines[0])}"`);
  const [method, target, versionText] = parts;
  if (!TOKEN.test(method) || method.length > MAX_METHOD_LENGTH) {
    throw new HttpParseError(`malformed method "${clip(method)}"`);
  }
  if (!TARGET.test(target)) throw new HttpParseError(`malformed request target`);
  const version = parseVersion(versionText);
  const fields: Array<[string, string]> = [];
  return { method, target, version, headers: parseFields(lines, fields), fields };
}

/** Parse a response head (as returned by reading up to the empty line). */
export function parseResponseHead(head: Uint8Array): ResponseHead {
  const lines = headLines(head);
  if (lines.length === 0) throw new HttpParseError("empty response head");
  const line = lines[0];
  const firstSpace = line.indexOf(" ");
  if (firstSpace < 0) throw new HttpParseError(`malformed status line "${clip(line)}"`);
  const version = parseVersion(line.slice(0, firstSpace));
  const rest = line.slice(firstSpace + 1);
  const codeText = rest.slice(0, 3);
  if (!/^[1-9]\d\d$/.test(codeText) || (rest.length > 3 && rest[3] !== " ")) {
    throw new HttpParseError(`malformed status code in "${clip(line)}"`);
  }
  const statusText = rest.slice(4);
  if (BAD_VALUE.test(statusText)) throw new HttpParseError("control character in reason phrase");
  return { version, status: Number(codeText), statusText, headers: parseFields(lines) };
}

/** How a message body is delimited. */
export type BodyFraming =
  | { kind: "none" }
  | { kind: "length"; length: number }
  | { kind: "chunked" }
  | { kind: "close" };

/** The Content-Length of a head (`undefined` when absent); repeated equal values are allowed. */
export function contentLength(headers: Headers): number | undefined {
  const value = headers.get("content-length");
  if (value === null) return undefined;
  let length: number | undefined;
  for (const part of value.split(",")) {
    const text = part.trim();
    // 15 digits keep the value an exact integer.
    if (!/^\d{1,15}$/.test(text)) throw new HttpParseError(`bad Content-Length "${clip(value)}"`);
    const n = Number(text);
    if (length !== undefined && n !== length) {
      throw new HttpParseError(`conflicting Content-Length values "${clip(value)}"`);
    }
    length = n;
  }
  return length;
}

function isChunked(headers: Headers, what: string): boolean {
  const value = headers.get("transfer-encoding");
  if (value === null) return false;
  // Only chunked is supported, as in Go's net/http.
  if (value.trim().toLowerCase() !== "chunked") {
    throw new HttpParseError(`unsupported ${what} Transfer-Encoding "${clip(value)}"`, 501);
  }
  return true;
}

/** How the body of a request with this head is delimited (RFC 9112 §6.3). */
export function requestFraming(head: RequestHead): BodyFraming {
  const chunked = isChunked(head.headers, "request");
  const length = contentLength(head.headers);
  // Both at once is the classic request-smuggling shape: refuse it.
  if (chunked && length !== undefined) {
    throw new HttpParseError("request has both Transfer-Encoding and Content-Length");
  }
  if (chunked) return { kind: "chunked" };
  if (length) return { kind: "length", length };
  return { kind: "none" };
}

/** How the body of a response with this head to a `method` request is delimited. */
export function responseFraming(head: ResponseHead, method: string): BodyFraming {
  if (method === "HEAD" || head.status < 200 || head.status === 204 || head.status === 304) {
    return { kind: "none" };
  }
  if (isChunked(head.headers, "response")) return { kind: "chunked" };
  const length = contentLength(head.headers);
  if (length === undefined) return { kind: "close" };
  return length === 0 ? { kind: "none" } : { kind: "length", length };
}
