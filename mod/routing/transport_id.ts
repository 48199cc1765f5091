import { bytesToHex } from "../cipher/mod.ts";
import { InvalidFieldError } from "./errors.ts";

/** Size of a transport id (a UUID) in rules and on the wire. */
export const TRANSPORT_ID_SIZE = 16;

const UUID_TEXT = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The canonical lowercase dashed text of a 16-byte transport id (Go `uuid.UUID.String`). */
export function transportIdFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== TRANSPORT_ID_SIZE) {
    throw new InvalidFieldError(`transport id must be 16 bytes, got ${bytes.length}`);
  }
  const hex = bytesToHex(bytes);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}

/** The 16 bytes of a transport id in dashed UUID text form (either case). */
export function transportIdToBytes(text: string): Uint8Array {
  if (typeof text !== "string" || !UUID_TEXT.test(text)) {
    throw new InvalidFieldError(`transport id must be dashed UUID text, got ${text}`);
  }
  const hex = text.replaceAll("-", "");
  const out = new Uint8Array(TRANSPORT_ID_SIZE);
  for (let i = 0; i < TRANSPORT_ID_SIZE; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
