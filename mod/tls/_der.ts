// The few ASN.1 DER encodings an X.509 certificate needs (X.690), as byte arrays.

import { concatBytes } from "../conn/mod.ts";

const encoder = new TextEncoder();

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

/** A tag-length-value with `tag` around the concatenation of `parts`. */
export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const body = concatBytes(parts);
  return concatBytes([new Uint8Array([tag, ...lengthBytes(body.length)]), body]);
}

/** SEQUENCE. */
export const sequence = (...parts: Uint8Array[]): Uint8Array => tlv(0x30, ...parts);
/** SET. */
export const set = (...parts: Uint8Array[]): Uint8Array => tlv(0x31, ...parts);
/** `[n]` EXPLICIT, constructed context tag. */
export const explicit = (n: number, inner: Uint8Array): Uint8Array => tlv(0xa0 | n, inner);
/** BOOLEAN TRUE. */
export const TRUE: Uint8Array = tlv(0x01, new Uint8Array([0xff]));
/** OCTET STRING. */
export const octetString = (bytes: Uint8Array): Uint8Array => tlv(0x04, bytes);
/** BIT STRING of whole bytes, or with `unusedBits` in its last byte. */
export const bitString = (bytes: Uint8Array, unusedBits = 0): Uint8Array =>
  tlv(0x03, new Uint8Array([unusedBits]), bytes);
/** UTF8String. */
export const utf8String = (text: string): Uint8Array => tlv(0x0c, encoder.encode(text));

/** INTEGER of an unsigned big-endian magnitude (minimal, with a 0 byte before a high bit). */
export function unsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  const pad = trimmed.length === 0 || trimmed[0] & 0x80 ? [0] : [];
  return tlv(0x02, new Uint8Array(pad), trimmed);
}

/** OBJECT IDENTIFIER from its dotted form. */
export function objectIdentifier(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map(Number);
  const bytes = [arcs[0] * 40 + arcs[1]];
  for (const arc of arcs.slice(2)) {
    const base128 = [arc & 0x7f];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) {
      base128.unshift(0x80 | (rest & 0x7f));
    }
    bytes.push(...base128);
  }
  return tlv(0x06, new Uint8Array(bytes));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, in UTC to seconds. */
export function time(date: Date): Uint8Array {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, "") + "Z";
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, encoder.encode(digits.slice(2)))
    : tlv(0x18, encoder.encode(digits));
}
