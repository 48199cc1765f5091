// Gob's primitive encodings: unsigned varints (a byte < 128 is itself, otherwise a negated byte
// count followed by that many big-endian bytes), signed ints with the complement bit in bit 0,
// and float64 bits byte-reversed and sent as an unsigned int.
import { GobError } from "./errors.ts";

const TWO_POW_32 = 0x1_0000_0000;
const MAX_UINT64 = (1n << 64n) - 1n;

/** A growable output buffer with gob's primitive writers. */
export class GobWriter {
  buf: Uint8Array;
  pos = 0;
  readonly #scratch = new Uint8Array(8);
  readonly #scratchView = new DataView(this.#scratch.buffer);

  constructor(initialSize = 512) {
    this.buf = new Uint8Array(initialSize);
  }

  /** Make room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Unsigned int from a safe integer `0 <= n <= 2^53-1`. */
  uint(n: number): void {
    if (n < 0x80) {
      this.byte(n);
      return;
    }
    const s = this.#scratch;
    let i = 8;
    while (n > 0) {
      s[--i] = n % 256;
      n = Math.floor(n / 256);
    }
    this.ensure(9 - i);
    this.buf[this.pos++] = 256 - (8 - i);
    this.buf.set(s.subarray(i), this.pos);
    this.pos += 8 - i;
  }

  /** Unsigned int from a bigint `0 <= n < 2^64`. */
  uintBig(n: bigint): void {
    if (n <= BigInt(Number.MAX_SAFE_INTEGER)) {
      this.uint(Number(n));
      return;
    }
    this.#scratchView.setBigUint64(0, n);
    this.#bytesMinimal();
  }

  /** Signed int from a safe integer. */
  int(i: number): void {
    this.uint(i < 0 ? (-i - 1) * 2 + 1 : i * 2);
  }

  /** Signed int from a bigint in int64 range. */
  intBig(i: bigint): void {
    this.uintBig(i < 0n ? ((-i - 1n) << 1n) | 1n : i << 1n);
  }

  /** float64, byte-reversed so the exponent goes first and trailing zeros vanish. */
  float(f: number): void {
    // Little-endian bits are exactly the big-endian bytes of the byte-reversed integer.
    this.#scratchView.setFloat64(0, f, true);
    this.#bytesMinimal();
  }

  // Write the 8 big-endian scratch bytes as a minimal unsigned int.
  #bytesMinimal(): void {
    const s = this.#scratch;
    let k = 0;
    while (k < 8 && s[k] === 0) k++;
    if (k === 8 || (k === 7 && s[7] < 0x80)) {
      this.byte(k === 8 ? 0 : s[7]);
      return;
    }
    this.ensure(9 - k);
    this.buf[this.pos++] = 256 - (8 - k);
    this.buf.set(s.subarray(k), this.pos);
    this.pos += 8 - k;
  }

  /** Reserve room for a message length; pass the result to {@linkcode endMessage}. */
  beginMessage(): number {
    const start = this.pos;
    this.ensure(9);
    this.pos += 9;
    return start;
  }

  /** Put the length prefix in front of the message begun at `start` and close the gap. */
  endMessage(start: number): void {
    const bodyStart = start + 9;
    const len = this.pos - bodyStart;
    const end = this.pos;
    this.pos = start;
    this.uint(len);
    const prefixEnd = this.pos;
    this.buf.copyWithin(prefixEnd, bodyStart, end);
    this.pos = prefixEnd + len;
  }
}

/** Check a bigint is a valid uint64 / int64 before encoding it. */
export function checkBigRange(v: bigint, signed: boolean, what: string): void {
  const ok = signed ? v >= -(1n << 63n) && v < (1n << 63n) : v >= 0n && v <= MAX_UINT64;
  if (!ok) throw new GobError(`${what}: ${v} out of range`, "invalid_value");
}

/** A cursor over one message with gob's primitive readers. Views returned alias the input. */
export class GobReader {
  readonly buf: Uint8Array;
  pos: number;
  readonly end: number;

  constructor(buf: Uint8Array, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  remaining(): number {
    return this.end - this.pos;
  }

  // The byte count of a long uint, with the bytes checked to be there.
  #longCount(b: number): number {
    const n = 256 - b;
    if (n > 8) throw new GobError("gob: encoded unsigned integer out of range");
    if (this.end - this.pos < n) {
      throw new GobError(`invalid uint data length ${n}: exceeds input size`);
    }
    return n;
  }

  #first(): number {
    if (this.pos >= this.end) throw new GobError("unexpected end of message");
    return this.buf[this.pos++];
  }

  /** An unsigned int that must be a safe integer (counts, deltas, lengths, type ids). */
  uint(): number {
    const b = this.#first();
    if (b < 0x80) return b;
    const n = this.#longCount(b);
    const buf = this.buf;
    let v = 0;
    for (let i = 0; i < n; i++) {
      v = v * 256 + buf[this.pos++];
      if (v > Number.MAX_SAFE_INTEGER) throw new GobError("gob: unsigned integer too large here");
    }
    return v;
  }

  /** An unsigned int of up to 64 bits. */
  uintBig(): bigint {
    const b = this.#first();
    if (b < 0x80) return BigInt(b);
    const n = this.#longCount(b);
    const buf = this.buf;
    let hi = 0, lo = 0;
    for (let i = 0; i < n; i++) {
      // Shift the 64-bit (hi, lo) pair left by a byte.
      hi = (hi * 256 + Math.floor(lo / 0x100_0000)) % TWO_POW_32;
      lo = (lo % 0x100_0000) * 256 + buf[this.pos++];
    }
    return hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** A signed int that must be a safe integer (type ids). */
  int(): number {
    const u = this.uint();
    const half = Math.floor(u / 2);
    return u % 2 === 1 ? -half - 1 : half;
  }

  /** A signed int of up to 64 bits. */
  intBig(): bigint {
    const u = this.uintBig();
    const half = u >> 1n;
    return (u & 1n) === 1n ? -half - 1n : half;
  }

  /** A float64 (byte-reversed bits). */
  float(): number {
    const b = this.#first();
    const bytes = new Uint8Array(8);
    if (b < 0x80) {
      bytes[7] = b;
    } else {
      const n = this.#longCount(b);
      bytes.set(this.buf.subarray(this.pos, this.pos + n), 8 - n);
      this.pos += n;
    }
    return new DataView(bytes.buffer).getFloat64(0, true);
  }

  /** Skip one unsigned int without computing it. */
  skipUint(): void {
    const b = this.#first();
    if (b >= 0x80) this.pos += this.#longCount(b);
  }

  /** A length or count that must not exceed the bytes left (each item takes at least a byte). */
  count(what: string): number {
    const n = this.uint();
    if (n > this.end - this.pos) {
      throw new GobError(`${what} length ${n} exceeds the ${this.end - this.pos} bytes left`);
    }
    return n;
  }

  /** `n` bytes as a view (copy it before keeping it). */
  view(n: number): Uint8Array {
    if (n > this.end - this.pos) throw new GobError("unexpected end of message");
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
}

/**
 * Parse a message length prefix at `buf[pos..end)`: the value and where the body starts, or
 * `null` when more bytes are needed. Throws on a count byte no uint can have.
 */
export function parseLengthPrefix(
  buf: Uint8Array,
  pos: number,
  end: number,
): { length: number; bodyStart: number } | null {
  if (pos >= end) return null;
  const b = buf[pos];
  if (b < 0x80) return { length: b, bodyStart: pos + 1 };
  const n = 256 - b;
  if (n > 8) throw new GobError("gob: encoded unsigned integer out of range");
  if (end - pos - 1 < n) return null;
  const r = new GobReader(buf, pos, end);
  const length = r.uint();
  return { length, bodyStart: r.pos };
}
