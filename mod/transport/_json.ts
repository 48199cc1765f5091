/**
 * Reading and writing the small JSON frames of the transport handshakes the way Go's
 * `encoding/json` does: field names match case-insensitively, unknown fields are ignored, `null`
 * or a missing field leaves the zero value, integers must be written as integers, and strings
 * are written with Go's escaping (`<`, `>`, `&`, U+2028/9 as `\uXXXX`). Go verifies signatures
 * over its re-encoding of what it decoded, so decoding like Go is what keeps signatures valid.
 *
 * @module
 */
import { MalformedFrameError } from "./errors.ts";

/** A JSON number together with its source text, so integer fields can be checked as Go does. */
export class JsonNumber {
  /** Wrap a parsed number and its literal. */
  constructor(readonly value: number, readonly source: string) {}
}

/** A decoded JSON object. */
export type JsonObject = Record<string, unknown>;

type Reviver = (
  this: unknown,
  key: string,
  value: unknown,
  context?: { source?: string },
) => unknown;
const parseWithSource = JSON.parse as (text: string, reviver: Reviver) => unknown;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Parse one JSON text; numbers become {@linkcode JsonNumber}. Throws {@linkcode MalformedFrameError}. */
export function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return parseWithSource(
      decoder.decode(bytes),
      (_key, value, context) =>
        typeof value === "number" ? new JsonNumber(value, context?.source ?? String(value)) : value,
    );
  } catch (cause) {
    throw new MalformedFrameError(`${what}: invalid JSON`, { cause });
  }
}

/** `value` as an object; `undefined` for `null`/absent (Go leaves the zero value). */
export function asObject(value: unknown, what: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value) || value instanceof JsonNumber) {
    throw new MalformedFrameError(`${what}: want a JSON object`);
  }
  return value as JsonObject;
}

/** The value of field `name`, matched as Go matches (case-insensitively, the last one wins). */
export function field(object: JsonObject | undefined, name: string): unknown {
  if (object === undefined) return undefined;
  const lower = name.toLowerCase();
  let found: unknown;
  for (const key of Object.keys(object)) {
    if (key === name || key.toLowerCase() === lower) found = object[key];
  }
  return found;
}

/** An unsigned integer no larger than `max`; 0 when absent or `null`. */
export function readUint(value: unknown, max: number, what: string): number {
  if (value === undefined || value === null) return 0;
  if (!(value instanceof JsonNumber) || !/^(0|[1-9][0-9]*)$/.test(value.source)) {
    throw new MalformedFrameError(`${what}: want an unsigned integer`);
  }
  if (value.value > max) throw new MalformedFrameError(`${what}: ${value.source} exceeds ${max}`);
  return value.value;
}

/** A signed integer within the safe range; 0 when absent or `null`. */
export function readSafeInt(value: unknown, what: string): number {
  if (value === undefined || value === null) return 0;
  if (!(value instanceof JsonNumber) || !/^-?(0|[1-9][0-9]*)$/.test(value.source)) {
    throw new MalformedFrameError(`${what}: want an integer`);
  }
  if (!Number.isSafeInteger(value.value)) {
    throw new MalformedFrameError(`${what}: ${value.source} is out of range`);
  }
  return value.value;
}

/** A string; `""` when absent or `null`. */
export function readString(value: unknown, what: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw new MalformedFrameError(`${what}: want a string`);
  return value;
}

/** A boolean; `false` when absent or `null`. */
export function readBool(value: unknown, what: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") throw new MalformedFrameError(`${what}: want true or false`);
  return value;
}

/** An array; `undefined` when absent or `null`. */
export function readArray(value: unknown, what: string): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new MalformedFrameError(`${what}: want a JSON array`);
  return value;
}

/** `text` as Go's `encoding/json` writes a string (with HTML escaping, as its encoder does). */
export function goJsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
      out += "\\u" + c.toString(16).padStart(4, "0");
    } else if (c >= 0xd800 && c <= 0xdfff) {
      // A lone surrogate is invalid UTF-8 once encoded; Go writes U+FFFD for it.
      const next = text.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += text[i] + text[i + 1];
        i++;
      } else {
        out += "\\ufffd";
      }
    } else {
      out += text[i];
    }
  }
  return out + '"';
}

/** `text` plus the newline Go's `json.Encoder` ends every value with, as bytes. */
export function encodeLine(text: string): Uint8Array {
  return encoder.encode(text + "\n");
}
