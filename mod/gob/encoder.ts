import { GobError } from "./errors.ts";
import type { AnyGobType, GobType, StructType } from "./go_type.ts";
import { GobTypeRegistry } from "./registry.ts";
import { checkBigRange, GobWriter } from "./_wire.ts";
import { writeString, writeWireType } from "./_wire_type.ts";
import { zeroValue } from "./_zero.ts";

/** Options for {@linkcode GobEncoder} and {@linkcode encodeGob}. */
export interface GobEncoderOptions {
  /** Where type ids come from; default a fresh table (ids from 65). */
  registry?: GobTypeRegistry;
}

/** One value to encode with {@linkcode GobEncoder.encodeSequence}. */
export interface GobItem {
  /** Its description. */
  type: GobType<unknown>;
  /** The value. */
  value: unknown;
}

/**
 * A gob encoder for one stream: each type's definition is sent once, before the first value
 * that needs it (Go's `gob.Encoder`). Output is byte-identical to Go given the same type ids.
 */
export class GobEncoder {
  readonly #registry: GobTypeRegistry;
  readonly #sent = new Set<AnyGobType>();
  readonly #w = new GobWriter();

  /** Create an encoder with nothing sent yet. */
  constructor(options: GobEncoderOptions = {}) {
    this.#registry = options.registry ?? new GobTypeRegistry();
  }

  /**
   * The bytes for `value`: any type definitions not yet sent on this stream, then the value
   * message. Throws {@linkcode GobError} (`invalid_value`) if the value does not fit its type;
   * the encoder is then unchanged.
   */
  encode<T>(type: GobType<T>, value: T): Uint8Array {
    return this.encodeSequence([{ type, value }]);
  }

  /** Several values as one unit (all or nothing), e.g. a net/rpc header and body. */
  encodeSequence(items: readonly GobItem[]): Uint8Array {
    const w = this.#w;
    const added: AnyGobType[] = [];
    w.pos = 0;
    try {
      for (const { type, value } of items) this.#encodeTop(type as AnyGobType, value, added);
      return w.buf.slice(0, w.pos);
    } catch (e) {
      // Forget definitions whose bytes are being thrown away.
      for (const t of added) this.#sent.delete(t);
      throw e instanceof GobError ? e : new GobError(String(e), "invalid_value");
    } finally {
      w.pos = 0;
    }
  }

  #encodeTop(t: AnyGobType, value: unknown, added: AnyGobType[]): void {
    this.#sendType(t, added);
    const w = this.#w;
    const start = w.beginMessage();
    w.int(this.#registry.idOf(t));
    if (t.kind === "struct") {
      encodeStruct(w, t, value);
    } else {
      // A non-struct goes as a one-field struct: delta 0, then the value even if zero.
      w.byte(0);
      encodeValue(w, t, value);
    }
    w.endMessage(start);
  }

  // Definitions go depth-first: the type itself, then what its fields/elements need.
  #sendType(t: AnyGobType, added: AnyGobType[]): void {
    switch (t.kind) {
      case "bool":
      case "int":
      case "uint":
      case "float":
      case "string":
      case "bytes":
        return;
    }
    if (this.#sent.has(t)) return;
    const id = this.#registry.idOf(t);
    const w = this.#w;
    const start = w.beginMessage();
    w.int(-id);
    writeWireType(w, this.#registry.definitionOf(t)!);
    w.endMessage(start);
    this.#sent.add(t);
    added.push(t);
    if (t.kind === "struct") { for (const f of t.fields) this.#sendType(f.type, added); }
    else if (t.kind === "array" || t.kind === "slice") this.#sendType(t.elem, added);
  }
}

/** Encode one value with a fresh encoder: type definitions included (what dmsg signs). */
export function encodeGob<T>(type: GobType<T>, value: T, options?: GobEncoderOptions): Uint8Array {
  return new GobEncoder(options).encode(type, value);
}

function invalid(t: AnyGobType, value: unknown): GobError {
  const shown = typeof value === "bigint" ? `${value}n` : typeof value;
  return new GobError(`value for ${t.goString} is invalid (${shown})`, "invalid_value");
}

// Whether a struct field holding `v` is left out (Go omits zero values, but never structs or
// arrays).
function omitted(t: AnyGobType, v: unknown): boolean {
  switch (t.kind) {
    case "bool":
      return v === false;
    case "int":
    case "uint":
      return v === 0 || v === 0n;
    case "float":
      return v === 0;
    case "string":
      return v === "";
    case "bytes":
      return v instanceof Uint8Array && v.length === 0;
    case "slice":
      return Array.isArray(v) && v.length === 0;
    case "external":
      try {
        return t.isZero(v);
      } catch {
        return false; // let encodeValue report the bad value
      }
    default:
      return false;
  }
}

function encodeStruct(w: GobWriter, t: StructType<unknown>, value: unknown): void {
  if (typeof value !== "object" || value === null) throw invalid(t, value);
  const obj = value as Record<string, unknown>;
  let last = -1;
  for (let i = 0; i < t.fields.length; i++) {
    const f = t.fields[i];
    let v = obj[f.name];
    if (v === undefined) {
      const k = f.type.kind;
      if (k !== "struct" && k !== "array" && k !== "byte_array") continue;
      v = zeroValue(f.type);
    }
    if (omitted(f.type, v)) continue;
    w.uint(i - last);
    last = i;
    encodeValue(w, f.type, v);
  }
  w.byte(0);
}

function encodeInt(w: GobWriter, t: AnyGobType & { bits: number }, v: unknown, signed: boolean) {
  if (typeof v === "bigint") {
    if (t.bits !== 64) throw invalid(t, v);
    checkBigRange(v, signed, t.goString);
    if (signed) w.intBig(v);
    else w.uintBig(v);
    return;
  }
  if (typeof v !== "number" || !Number.isSafeInteger(v)) throw invalid(t, v);
  if (t.bits < 64) {
    const limit = 2 ** (signed ? t.bits - 1 : t.bits);
    if (signed ? v < -limit || v >= limit : v < 0 || v >= limit) throw invalid(t, v);
  } else if (!signed && v < 0) throw invalid(t, v);
  if (signed) w.int(v);
  else w.uint(v);
}

function encodeValue(w: GobWriter, t: AnyGobType, v: unknown): void {
  switch (t.kind) {
    case "bool":
      if (typeof v !== "boolean") throw invalid(t, v);
      w.byte(v ? 1 : 0);
      return;
    case "int":
      return encodeInt(w, t, v, true);
    case "uint":
      return encodeInt(w, t, v, false);
    case "float":
      if (typeof v !== "number") throw invalid(t, v);
      w.float(t.bits === 32 ? Math.fround(v) : v);
      return;
    case "string":
      if (typeof v !== "string") throw invalid(t, v);
      writeString(w, v);
      return;
    case "bytes":
      if (!(v instanceof Uint8Array)) throw invalid(t, v);
      w.uint(v.length);
      w.raw(v);
      return;
    case "byte_array":
      if (!(v instanceof Uint8Array) || v.length !== t.len) throw invalid(t, v);
      // Byte arrays are not special in gob: each element is an unsigned int.
      w.uint(t.len);
      for (let i = 0; i < v.length; i++) w.uint(v[i]);
      return;
    case "array":
    case "slice":
      if (!Array.isArray(v) || (t.kind === "array" && v.length !== t.len)) throw invalid(t, v);
      w.uint(v.length);
      for (const e of v) encodeValue(w, t.elem, e);
      return;
    case "struct":
      return encodeStruct(w, t, v);
    case "external": {
      let data: Uint8Array;
      try {
        data = t.encode(v);
      } catch (e) {
        throw new GobError(`${t.goString}: ${(e as Error).message ?? e}`, "invalid_value");
      }
      w.uint(data.length);
      w.raw(data);
      return;
    }
  }
}
