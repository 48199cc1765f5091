import { sha256 } from "./hash.ts";
import { bytesToHex } from "./hex.ts";
import type { PubKey } from "./pub_key.ts";

const encoder = new TextEncoder();

/** The two keys ordered as Go's `SortEdges` does (big-endian numeric, lower first). */
export function sortEdges(a: PubKey, b: PubKey): [PubKey, PubKey] {
  return a.compare(b) < 0 ? [a, b] : [b, a];
}

/**
 * The deterministic transport id of a transport between `a` and `b` of type `type`: a
 * name-based UUID (SHA-256, version bits 0, RFC 4122 variant) over the nil namespace,
 * `pkLow‖pkHigh‖type`. Returns the canonical dashed UUID text.
 */
export function makeTransportId(a: PubKey, b: PubKey, type: string): string {
  const [low, high] = sortEdges(a, b);
  const id = sha256(new Uint8Array(16), low.view, high.view, encoder.encode(type)).slice(0, 16);
  id[6] &= 0x0f;
  id[8] = (id[8] & 0x3f) | 0x80;
  const hex = bytesToHex(id);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}
