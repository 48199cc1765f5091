/**
 * Go strings are byte strings. Entries carry them as JS strings where every byte that is not
 * part of valid UTF-8 becomes a lone surrogate U+DC80–U+DCFF (the "surrogateescape" idea), so
 * that bytes → string → bytes is exact. Valid UTF-8 never decodes to a lone surrogate, so the
 * mapping is one to one.
 *
 * @module
 */

const ESCAPE_BASE = 0xdc00;
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** Length of the valid UTF-8 sequence at `i`, or 0 when the byte there starts none (Go's rules). */
function utf8SequenceLength(bytes: Uint8Array, i: number, end: number): number {
  const b0 = bytes[i];
  if (b0 < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) =>
    i + k < end && bytes[i + k] >= lo && bytes[i + k] <= hi;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((b0 >= 0xe1 && b0 <= 0xec) || b0 === 0xee || b0 === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

// Up to this length an ASCII string is built in JS: cheaper than a call into the decoder
// (keys, signatures and versions are all short ASCII).
const SHORT_ASCII = 256;

/** Decode `bytes[start, end)` as a Go string (see the module note). */
export function goStringFromBytes(bytes: Uint8Array, start = 0, end = bytes.length): string {
  if (end - start <= SHORT_ASCII) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (bytes[i] >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
    }
  }
  const view = bytes.subarray(start, end);
  try {
    return strictDecoder.decode(view);
  } catch {
    // Not valid UTF-8: decode piecewise, escaping each stray byte.
  }
  let out = "";
  let run = 0;
  for (let i = 0; i < view.length;) {
    const n = utf8SequenceLength(view, i, view.length);
    if (n > 0) {
      i += n;
      continue;
    }
    if (run < i) out += strictDecoder.decode(view.subarray(run, i));
    out += String.fromCharCode(ESCAPE_BASE + view[i]);
    i++;
    run = i;
  }
  if (run < view.length) out += strictDecoder.decode(view.subarray(run));
  return out;
}

/** The bytes of a Go string (see the module note). Other lone surrogates become U+FFFD. */
export function goStringToBytes(text: string): Uint8Array {
  if (text.isWellFormed()) return encoder.encode(text);
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f));
        out.push(0x80 | (cp & 0x3f));
        i++;
      } else out.push(0xef, 0xbf, 0xbd);
    } else if (c >= 0xdc80 && c <= 0xdcff) out.push(c - ESCAPE_BASE);
    else if (c >= 0xd800 && c <= 0xdfff) out.push(0xef, 0xbf, 0xbd);
    else out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return Uint8Array.from(out);
}
