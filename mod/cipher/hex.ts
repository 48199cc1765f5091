import { CipherError } from "./errors.ts";

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Lowercase hex of `bytes`. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
  return out;
}

/**
 * The value of one hex digit given as a character code (either case), or -1 when it is not
 * one. Byte-level parsers (the discovery's JSON reader) use it without building strings.
 */
export function hexDigitValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  return -1;
}

/** Decode hex (either case); throws {@linkcode CipherError} on odd length or a non-hex digit. */
export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) throw new CipherError("invalid hex: odd length");
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const high = hexDigitValue(hex.charCodeAt(i * 2));
    const low = hexDigitValue(hex.charCodeAt(i * 2 + 1));
    if (high < 0 || low < 0) throw new CipherError("invalid hex: bad digit");
    out[i] = (high << 4) | low;
  }
  return out;
}
