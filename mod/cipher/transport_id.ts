import { CipherError } from "./errors.ts";
import { sha256 } from "./hash.ts";
import { bytesToHex, hexToBytes } from "./hex.ts";
import type { PubKey } from "./pub_key.ts";

/** Size of a transport id (a UUID) in bytes, in rules and on the wire. */
export const TRANSPORT_ID_SIZE = 16;

const UUID_TEXT = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const encoder = new TextEncoder();

/** Whether `text` is a transport id in dashed UUID text form (either case). */
export function isTransportIdText(text: unknown): text is string {
  return typeof text === "string" && UUID_TEXT.test(text);
}

/**
 * The canonical lowercase dashed text of a 16-byte transport id (Go `uuid.UUID.String`).
 * Throws {@linkcode CipherError} for any other length.
 */
export function transportIdFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== TRANSPORT_ID_SIZE) {
    throw new CipherError(`transport id must be 16 bytes, got ${bytes.length}`);
  }
  const hex = bytesToHex(bytes);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}

/**
 * The 16 bytes of a transport id in dashed UUID text form (either case). Throws
 * {@linkcode CipherError} for anything else.
 */
export function transportIdToBytes(text: string): Uint8Array {
  if (!isTransportIdText(text)) {
    throw new CipherError(`transport id must be dashed UUID text, got ${text}`);
  }
  return hexToBytes(text.replaceAll("-", ""));
}

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
  return transportIdFromBytes(id);
}
