/**
 * A JSON reader over bytes that follows `jsoniter.ConfigFastest`'s decoding rules, which is what
 * Go's discovery uses to read entries. The rules matter because Go verifies a signature over
 * the re-marshalled *decoded* value, so whatever Go would decode we must decode the same way:
 *
 * - field names match case-insensitively (ASCII only), escapes in names are processed;
 * - unknown fields are skipped (and so drop out of the signed form);
 * - `null` for a string gives `""`, for a number leaves the value unchanged;
 * - string escapes: a lone or mismatched UTF-16 surrogate escape becomes U+FFFD; raw bytes are
 *   kept as they are, even when they are not UTF-8; a raw control character is refused only
 *   before the first backslash of a string (jsoniter's fast path);
 * - integers: no fraction, no exponent, Go's overflow check (including its blind spot);
 * - nesting deeper than 10,000 is refused; bytes after the first value are ignored.
 *
 * @module
 */
import { hexDigitValue } from "../../cipher/mod.ts";
import { goStringFromBytes } from "./entry_go_string.ts";

/** Malformed JSON, or a value Go's decoder would refuse. */
export class EntryDecodeError extends Error {
  /** Byte offset where decoding stopped. */
  readonly offset: number;

  /** Create the error. */
  constructor(message: string, offset: number) {
    super(`${message} (at byte ${offset})`);
    this.name = "EntryDecodeError";
    this.offset = offset;
  }
}

// jsoniter's depth limit for nested containers.
const MAX_DEPTH = 10_000;
// Go's uint64 overflow guard: values above this may overflow when multiplied by 10.
const UINT64_SAFE_TO_MULTIPLY_10 = 0xffffffffffffffffn / 10n - 1n;
const UINT64_MASK = 0xffffffffffffffffn;
const INT64_MAX = 0x7fffffffffffffffn;

const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c, COLON = 0x3a;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function pushRune(out: number[], r: number): void {
  if (r < 0x80) out.push(r);
  else if (r < 0x800) out.push(0xc0 | (r >> 6), 0x80 | (r & 0x3f));
  else {
    if (r >= 0xd800 && r <= 0xdfff) r = 0xfffd;
    out.push(0xe0 | (r >> 12), 0x80 | ((r >> 6) & 0x3f), 0x80 | (r & 0x3f));
  }
}

function pushAstral(out: number[], cp: number): void {
  out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f));
  out.push(0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

/** A cursor over JSON bytes with jsoniter's semantics (see the module note). */
export class GoJsonReader {
  /** The input. */
  readonly buf: Uint8Array;
  /** Next byte to read. */
  pos = 0;
  #depth = 0;

  /** Read `buf` from the start. */
  constructor(buf: Uint8Array) {
    this.buf = buf;
  }

  /** Throw an {@linkcode EntryDecodeError} at the current position. */
  fail(message: string): never {
    throw new EntryDecodeError(message, this.pos);
  }

  /** The next byte that is not JSON whitespace (consumed), or -1 at the end. */
  nextToken(): number {
    const buf = this.buf;
    while (this.pos < buf.length) {
      const c = buf[this.pos++];
      if (c !== 0x20 && c !== 0x0a && c !== 0x09 && c !== 0x0d) return c;
    }
    return -1;
  }

  /** Step back over the byte just read (only after a read that returned a byte). */
  unread(): void {
    this.pos--;
  }

  /** Whether only whitespace is left. */
  atEnd(): boolean {
    const c = this.nextToken();
    if (c < 0) return true;
    this.unread();
    return false;
  }

  #readByte(): number {
    return this.pos < this.buf.length ? this.buf[this.pos++] : -1;
  }

  #literal(rest: string): void {
    for (let i = 0; i < rest.length; i++) {
      if (this.#readByte() !== rest.charCodeAt(i)) this.fail(`expect literal ending in ${rest}`);
    }
  }

  #enter(): void {
    if (++this.#depth > MAX_DEPTH) this.fail("exceeded max depth");
  }

  #leave(): void {
    this.#depth--;
  }

  /** Consume `null` if it is next. */
  readNil(): boolean {
    const c = this.nextToken();
    if (c === 0x6e) {
      this.#literal("ull");
      return true;
    }
    if (c >= 0) this.unread();
    return false;
  }

  /** A string's raw bytes (escapes processed); `null` reads as empty. */
  readStringBytes(): Uint8Array {
    const c = this.nextToken();
    if (c === QUOTE) return this.#stringBody(true);
    if (c === 0x6e) {
      this.#literal("ull");
      return new Uint8Array(0);
    }
    return this.fail(`expect " or n`);
  }

  /** A string as a Go string (see `entry_go_string.ts`); `null` reads as `""`. */
  readString(): string {
    const bytes = this.readStringBytes();
    return bytes.length === 0 ? "" : goStringFromBytes(bytes);
  }

  // The body of a string whose opening quote was consumed.
  #stringBody(checkControl: boolean): Uint8Array {
    const buf = this.buf;
    const start = this.pos;
    for (let i = start; i < buf.length; i++) {
      const c = buf[i];
      if (c === QUOTE) {
        this.pos = i + 1;
        return buf.subarray(start, i);
      }
      if (c === BACKSLASH) break;
      if (c < 0x20 && checkControl) {
        this.pos = i;
        this.fail(`invalid control character found: ${c}`);
      }
    }
    // Slow path, from the start of the string: jsoniter no longer checks control characters.
    const out: number[] = [];
    for (;;) {
      const c = this.#readByte();
      if (c < 0) this.fail("unexpected end of input");
      if (c === QUOTE) return Uint8Array.from(out);
      if (c === BACKSLASH) this.#escape(this.#readByte(), out);
      else out.push(c);
    }
  }

  #readU4(): number {
    let r = 0;
    for (let i = 0; i < 4; i++) {
      const c = this.#readByte();
      if (c < 0) this.fail("unexpected end of input");
      const v = hexDigitValue(c);
      if (v < 0) this.fail("expects 0~9 or a~f");
      r = r * 16 + v;
    }
    return r;
  }

  #escape(c: number, out: number[]): void {
    switch (c) {
      case 0x75: { // u
        const r = this.#readU4();
        if (r < 0xd800 || r > 0xdfff) return pushRune(out, r);
        const next = this.#readByte();
        if (next < 0) this.fail("unexpected end of input");
        if (next !== BACKSLASH) {
          this.unread();
          return pushRune(out, r);
        }
        const kind = this.#readByte();
        if (kind < 0) this.fail("unexpected end of input");
        if (kind !== 0x75) {
          pushRune(out, r);
          return this.#escape(kind, out);
        }
        const r2 = this.#readU4();
        if (r <= 0xdbff && r2 >= 0xdc00 && r2 <= 0xdfff) {
          return pushAstral(out, 0x10000 + ((r - 0xd800) << 10) + (r2 - 0xdc00));
        }
        pushRune(out, r);
        return pushRune(out, r2);
      }
      case QUOTE:
      case BACKSLASH:
      case 0x2f: // /
        out.push(c);
        return;
      case 0x62: // b
        out.push(0x08);
        return;
      case 0x66: // f
        out.push(0x0c);
        return;
      case 0x6e: // n
        out.push(0x0a);
        return;
      case 0x72: // r
        out.push(0x0d);
        return;
      case 0x74: // t
        out.push(0x09);
        return;
      default:
        this.fail("invalid escape char after \\");
    }
  }

  /** Go `uint64` as jsoniter reads it (after the first byte `first`, default next token). */
  readUint64(first: number = this.nextToken()): bigint {
    const buf = this.buf;
    if (first === 0x30) {
      this.#assertInteger();
      return 0n;
    }
    if (!isDigit(first)) this.fail("unexpected character in number");
    let end = this.pos;
    while (end < buf.length && isDigit(buf[end])) end++;
    let value: bigint;
    if (end - this.pos <= 18) {
      // Up to 19 digits Go's loop is exact.
      value = BigInt(String.fromCharCode(first, ...buf.subarray(this.pos, end)));
    } else {
      // Replay Go's loop, including its wrap-around check that misses some overflows.
      value = BigInt(first - 0x30);
      for (let i = this.pos; i < end; i++) {
        const d = BigInt(buf[i] - 0x30);
        if (value > UINT64_SAFE_TO_MULTIPLY_10) {
          const next = (value * 10n + d) & UINT64_MASK;
          if (next < value) {
            this.pos = i;
            this.fail("readUint64: overflow");
          }
          value = next;
        } else value = value * 10n + d;
      }
    }
    this.pos = end;
    this.#assertInteger();
    return value;
  }

  /** Go `int64` as jsoniter reads it. */
  readInt64(): bigint {
    const c = this.nextToken();
    if (c === 0x2d) {
      const value = this.readUint64(this.#readByte());
      if (value > INT64_MAX + 1n) this.fail("ReadInt64: overflow");
      return -value;
    }
    const value = this.readUint64(c);
    if (value > INT64_MAX) this.fail("ReadInt64: overflow");
    return value;
  }

  #assertInteger(): void {
    if (this.pos < this.buf.length && this.buf[this.pos] === 0x2e) {
      this.fail("can not decode float as int");
    }
  }

  /** Start of a struct: `true` when fields follow; `{}` and `null` give `false`. */
  readObjectStart(): boolean {
    const c = this.nextToken();
    if (c === 0x7b) {
      const next = this.nextToken();
      if (next === 0x7d) return false;
      if (next >= 0) this.unread();
      return true;
    }
    if (c === 0x6e) {
      this.#literal("ull");
      return false;
    }
    return this.fail("expect { or n");
  }

  /** Enter a struct's fields (after {@linkcode readObjectStart} returned true). */
  enterStruct(): void {
    this.#enter();
  }

  /** Leave a struct. */
  leaveStruct(): void {
    this.#leave();
  }

  /** A struct field name, lower-cased (ASCII), with its `:` consumed. */
  readFieldKey(): string {
    if (this.nextToken() !== QUOTE) this.fail(`expect " before a field name`);
    const bytes = this.#stringBody(false);
    let key = "";
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      key += String.fromCharCode(b >= 0x41 && b <= 0x5a ? b + 0x20 : b);
    }
    if (this.nextToken() !== COLON) this.fail("expect : after a field name");
    return key;
  }

  /**
   * A field name as jsoniter's general struct decoder reads it (used for structs with a
   * camelCase field, such as `disc.Server`): the raw bytes up to the next `"`, no escape
   * processing, lower-cased as Go's `strings.ToLower` would for the names we match (ASCII, and
   * U+0130 and U+212A, whose lower-case forms are ASCII). The `:` is consumed.
   */
  readRawFieldKey(): string {
    if (this.nextToken() !== QUOTE) this.fail(`expect " before a field name`);
    const buf = this.buf;
    const end = buf.indexOf(QUOTE, this.pos);
    if (end < 0) {
      this.pos = buf.length;
      this.fail("unexpected end of input");
    }
    let key = "";
    for (let i = this.pos; i < end; i++) {
      const b = buf[i];
      if (b < 0x80) key += String.fromCharCode(b >= 0x41 && b <= 0x5a ? b + 0x20 : b);
      else if (b === 0xc4 && buf[i + 1] === 0xb0 && i + 1 < end) {
        key += "i";
        i += 1;
      } else if (b === 0xe2 && buf[i + 1] === 0x84 && buf[i + 2] === 0xaa && i + 2 < end) {
        key += "k";
        i += 2;
      } else key += "\uFFFD"; // never part of a field name we know
    }
    this.pos = end + 1;
    if (this.nextToken() !== COLON) this.fail("expect : after a field name");
    return key;
  }

  /** After a struct field: `true` at `}`, `false` at `,`. */
  isObjectEnd(): boolean {
    const c = this.nextToken();
    if (c === COMMA) return false;
    if (c === 0x7d) return true;
    return this.fail("object ended prematurely");
  }

  #number(first: number): void {
    const buf = this.buf;
    let c = first;
    if (c === 0x2d) c = this.#readByte();
    if (c === 0x30) {
      // A single zero; digits after it are left for the caller to refuse.
    } else if (isDigit(c)) {
      while (this.pos < buf.length && isDigit(buf[this.pos])) this.pos++;
    } else this.fail("invalid number");
    if (this.pos < buf.length && buf[this.pos] === 0x2e) {
      this.pos++;
      if (!(this.pos < buf.length && isDigit(buf[this.pos]))) this.fail("missing digit after dot");
      while (this.pos < buf.length && isDigit(buf[this.pos])) this.pos++;
    }
    if (this.pos < buf.length && (buf[this.pos] === 0x65 || buf[this.pos] === 0x45)) {
      this.pos++;
      if (this.pos < buf.length && (buf[this.pos] === 0x2b || buf[this.pos] === 0x2d)) this.pos++;
      if (!(this.pos < buf.length && isDigit(buf[this.pos]))) this.fail("missing exponent digits");
      while (this.pos < buf.length && isDigit(buf[this.pos])) this.pos++;
    }
  }

  /** Skip one value of any kind (iteratively, so deep nesting cannot exhaust the stack). */
  skip(): void {
    const ARRAY = 1, OBJECT = 2;
    const stack: number[] = [];
    let c = this.nextToken();
    for (;;) {
      switch (c) {
        case QUOTE:
          this.#stringBody(true);
          break;
        case 0x6e:
          this.#literal("ull");
          break;
        case 0x74:
          this.#literal("rue");
          break;
        case 0x66:
          this.#literal("alse");
          break;
        case 0x5b:
          this.#enter();
          c = this.nextToken();
          if (c === 0x5d) {
            this.#leave();
            break;
          }
          stack.push(ARRAY);
          continue;
        case 0x7b: {
          this.#enter();
          const k = this.nextToken();
          if (k === 0x7d) {
            this.#leave();
            break;
          }
          if (k !== QUOTE) this.fail(`expect " after {`);
          this.#stringBody(true);
          if (this.nextToken() !== COLON) this.fail("expect : after object field");
          stack.push(OBJECT);
          c = this.nextToken();
          continue;
        }
        default:
          if (c === 0x2d || isDigit(c)) this.#number(c);
          else this.fail("do not know how to skip");
      }
      // A value is complete: close finished containers, or move to the next member.
      for (;;) {
        if (stack.length === 0) return;
        const top = stack[stack.length - 1];
        const t = this.nextToken();
        if (t === COMMA) {
          if (top === OBJECT) {
            // jsoniter reads later member names with ReadString, which also takes `null`.
            this.readStringBytes();
            if (this.nextToken() !== COLON) this.fail("expect : after object field");
          }
          c = this.nextToken();
          break;
        }
        if ((top === ARRAY && t === 0x5d) || (top === OBJECT && t === 0x7d)) {
          stack.pop();
          this.#leave();
          continue;
        }
        this.fail("container not closed");
      }
    }
  }
}
