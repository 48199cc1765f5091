// Loading the Go vector files and turning decoded values into comparable plain data.
import { bytesToHex, PubKey } from "../../../mod/cipher/mod.ts";

// JSON.parse loses digits of integers beyond 2^53 (Go's int64 timestamps): keep them exact.
function parseExact(text: string): unknown {
  return JSON.parse(text, (_key, value, context?: { source?: string }) => {
    if (typeof value === "number" && !Number.isSafeInteger(value) && context?.source) {
      if (/^-?\d+$/.test(context.source)) return BigInt(context.source);
    }
    return value;
  });
}

// deno-lint-ignore no-explicit-any
type Json = any;

/** `tests/testdata/go-skywire-2024-vectors.json`. */
export const vectors2024: Json = parseExact(
  Deno.readTextFileSync(new URL("../../testdata/go-skywire-2024-vectors.json", import.meta.url)),
);

/** `tests/testdata/go-dmsg-2023-vectors.json`. */
export const vectors2023: Json = parseExact(
  Deno.readTextFileSync(new URL("../../testdata/go-dmsg-2023-vectors.json", import.meta.url)),
);

/**
 * Decoded values as plain data (keys as hex, bytes as hex, bigints as "123n") so that
 * assertEquals compares what matters: PubKey keeps its bytes in private fields.
 */
export function plain(v: unknown): unknown {
  if (v instanceof PubKey) return `pk:${v.hex()}`;
  if (v instanceof Uint8Array) return `hex:${bytesToHex(v)}`;
  if (typeof v === "bigint") return `${v}n`;
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}
