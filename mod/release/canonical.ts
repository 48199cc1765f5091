/**
 * Canonical JSON: the exact bytes a release signature covers.
 *
 * Object keys are sorted (UTF-16 code unit order, JavaScript's default), there is no
 * whitespace, strings use `JSON.stringify`'s escaping, and numbers must be safe integers. The
 * verifier re-encodes the object it parsed and then uses that same object, so what is verified
 * is exactly what is acted on; duplicate keys or reordered fields in the transmitted text cannot
 * smuggle in a different meaning.
 */

/** A value canonical JSON can hold. */
export type CanonicalValue =
  | string
  | number
  | boolean
  | null
  | CanonicalValue[]
  | { [key: string]: CanonicalValue };

function encode(value: unknown, depth: number, parts: string[]): void {
  if (depth > 32) throw new TypeError("canonical JSON: nested too deeply");
  if (value === null || typeof value === "boolean" || typeof value === "string") {
    parts.push(JSON.stringify(value));
  } else if (typeof value === "number") {
    // Floats have several spellings across encoders; manifests never need them.
    if (!Number.isSafeInteger(value)) {
      throw new TypeError(`canonical JSON: ${value} is not a safe integer`);
    }
    parts.push(String(value));
  } else if (Array.isArray(value)) {
    parts.push("[");
    value.forEach((item, i) => {
      if (i > 0) parts.push(",");
      encode(item, depth + 1, parts);
    });
    parts.push("]");
  } else if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    parts.push("{");
    Object.keys(record).sort().forEach((key, i) => {
      if (i > 0) parts.push(",");
      parts.push(JSON.stringify(key), ":");
      encode(record[key], depth + 1, parts);
    });
    parts.push("}");
  } else {
    throw new TypeError(`canonical JSON: cannot encode a ${typeof value}`);
  }
}

/** Canonical JSON text of `value`; throws `TypeError` for values it cannot hold. */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  encode(value, 0, parts);
  return parts.join("");
}

/** UTF-8 bytes of {@linkcode canonicalJson}. */
export function canonicalBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}
