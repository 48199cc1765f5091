import type { AnyGobType } from "./go_type.ts";

/** Go's zero value of `t` in its TypeScript form (a fresh object for composite types). */
export function zeroValue(t: AnyGobType): unknown {
  switch (t.kind) {
    case "bool":
      return false;
    case "int":
    case "uint":
      return t.bits === 64 ? 0n : 0;
    case "float":
      return 0;
    case "string":
      return "";
    case "bytes":
      return new Uint8Array(0);
    case "byte_array":
      return new Uint8Array(t.len);
    case "array":
      return Array.from({ length: t.len }, () => zeroValue(t.elem));
    case "slice":
      return [];
    case "struct": {
      const obj: Record<string, unknown> = {};
      for (const f of t.fields) obj[f.name] = zeroValue(f.type);
      return obj;
    }
    case "external":
      return t.zero();
  }
}
