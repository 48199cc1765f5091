import { GobError } from "./errors.ts";
import type { AnyGobType, GobType, StructType } from "./go_type.ts";
import { GobReader, parseLengthPrefix } from "./_wire.ts";
import {
  BuiltinId,
  FIRST_USER_ID,
  readString,
  readStructFields,
  readWireType,
  type WireType,
} from "./_wire_type.ts";
import { zeroValue } from "./_zero.ts";

/** Default cap on one gob message (Go allows up to 1 GiB; our peers send small ones). */
export const DEFAULT_MAX_MESSAGE_SIZE = 1 << 20;
// Nesting of values (structs in slices in structs ...); our types nest a few levels.
const DEFAULT_MAX_DEPTH = 64;
// Type definitions one stream may make; route setup and dmsg use a handful.
const DEFAULT_MAX_TYPES = 1024;

/** Limits for {@linkcode GobDecoder} and {@linkcode decodeGob}. */
export interface GobDecoderOptions {
  /** Largest message accepted, in bytes. Default 1 MiB. */
  maxMessageSize?: number;
  /** Deepest nesting of values accepted. Default 64. */
  maxDepth?: number;
  /** Most type definitions accepted on one stream. Default 1024. */
  maxTypes?: number;
}

/**
 * A value message whose type definitions have been taken in. Decode it (or drop it) before
 * reading the next message: it aliases the input buffer.
 */
export interface PendingValue {
  /** The wire type id of the value. */
  readonly id: number;
}

// What acceptMessage really hands out: the rest of the message, positioned at the value.
interface PendingMessage extends PendingValue {
  readonly reader: GobReader;
}

// Which local field each wire field goes to (-1: skipped), checked once per pair of types.
interface StructPlan {
  wire: Extract<WireType, { kind: "struct" }>;
  local: Int32Array;
  matched: number;
}

const BUILTIN_NAMES: Record<number, string> = {
  1: "bool",
  2: "int",
  3: "uint",
  4: "float",
  5: "bytes",
  6: "string",
  7: "complex",
  8: "interface",
};

/**
 * A gob decoder for one stream: remembers the peer's type definitions, matches struct fields
 * by name, skips fields it has no place for, fills missing ones with zero values, and turns
 * any malformed input into a {@linkcode GobError}.
 */
export class GobDecoder {
  /** The largest message {@linkcode decodeFrom} accepts. */
  readonly maxMessageSize: number;
  readonly #maxDepth: number;
  readonly #maxTypes: number;
  readonly #types = new Map<number, WireType>();
  readonly #plans = new Map<StructType<unknown>, Map<number, StructPlan>>();

  /** Create a decoder that knows no types yet. */
  constructor(options: GobDecoderOptions = {}) {
    this.maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.#maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.#maxTypes = options.maxTypes ?? DEFAULT_MAX_TYPES;
  }

  /**
   * Take one message body (without its length prefix). A type definition is remembered and
   * gives `null`; a value message gives a {@linkcode PendingValue}.
   */
  acceptMessage(body: Uint8Array): PendingValue | null {
    const r = new GobReader(body);
    const id = r.int();
    if (id >= 0) {
      if (id === 0) throw new GobError("gob: value of type id 0");
      const pending: PendingMessage = { id, reader: r };
      return pending;
    }
    this.#define(-id, r);
    // Each definition is a message of its own.
    if (r.remaining() > 0) throw new GobError("gob: extra data in buffer after type definition");
    return null;
  }

  #define(id: number, r: GobReader): void {
    // Go's type ids are int32; below 64 they are Go's own.
    if (id < FIRST_USER_ID || id > 0x7fff_ffff || this.#types.has(id)) {
      throw new GobError(`gob: bad or duplicate type definition ${id}`);
    }
    if (this.#types.size >= this.#maxTypes) {
      throw new GobError(`gob: more than ${this.#maxTypes} type definitions`, "limit");
    }
    this.#types.set(id, readWireType(r, id));
  }

  /** Decode a pending value as `type`. */
  decodeValue<T>(type: GobType<T>, pending: PendingValue): T {
    const t = type as AnyGobType;
    const { id, reader: r } = pending as PendingMessage;
    if (!(r instanceof GobReader)) throw new GobError("gob: not a pending value of this codec");
    const wire = this.#types.get(id);
    if (t.kind === "struct" && wire?.kind === "struct") {
      const plan = this.#structPlan(t, id, 0);
      if (plan.matched === 0 && t.fields.length > 0 && wire.fields.length > 0) {
        throw new GobError(
          `gob: type mismatch: no fields matched compiling decoder for ${t.name}`,
          "type_mismatch",
        );
      }
      return this.#decodeStruct(t, plan, r, 0) as T;
    }
    if (!this.#compatible(t, id, 0)) {
      throw new GobError(
        `gob: decoding into local type ${t.goString}, received remote type ${this.#typeName(id)}`,
        "type_mismatch",
      );
    }
    if (r.uint() !== 0) throw new GobError("gob: corrupted data: non-zero delta for singleton");
    return this.#decode(t, id, r, 0) as T;
  }

  /**
   * Decode the next value of a byte run of messages (definitions then the value, as a fresh
   * Go encoder writes them). Bytes after the value message are left alone, as Go does.
   */
  decodeFrom<T>(type: GobType<T>, bytes: Uint8Array): { value: T; bytesRead: number } {
    let pos = 0;
    for (;;) {
      if (pos >= bytes.length) {
        throw new GobError(pos === 0 ? "gob: no data" : "gob: unexpected EOF", "eof");
      }
      const prefix = parseLengthPrefix(bytes, pos, bytes.length);
      if (prefix === null) throw new GobError("gob: unexpected EOF", "eof");
      this.#checkMessageSize(prefix.length);
      if (prefix.length > bytes.length - prefix.bodyStart) {
        throw new GobError("gob: unexpected EOF", "eof");
      }
      pos = prefix.bodyStart + prefix.length;
      const pending = this.acceptMessage(bytes.subarray(prefix.bodyStart, pos));
      if (pending) return { value: this.decodeValue(type, pending), bytesRead: pos };
    }
  }

  #checkMessageSize(len: number): void {
    if (len === 0) throw new GobError("gob: empty message");
    if (len > this.maxMessageSize) {
      throw new GobError(
        `gob: message of ${len} bytes exceeds the limit of ${this.maxMessageSize}`,
        "limit",
      );
    }
  }

  #typeName(id: number): string {
    const wire = this.#types.get(id);
    if (wire) return wire.name || `${wire.kind} type ${id}`;
    return BUILTIN_NAMES[id] ?? `undefined type ${id}`;
  }

  #depth(depth: number): void {
    if (depth > this.#maxDepth) {
      throw new GobError(`gob: values nested deeper than ${this.#maxDepth}`, "limit");
    }
  }

  // Whether a wire value of type `id` can be stored as `t` (Go's compatibleType).
  #compatible(t: AnyGobType, id: number, depth: number): boolean {
    this.#depth(depth);
    const wire = this.#types.get(id);
    switch (t.kind) {
      case "bool":
        return id === BuiltinId.BOOL;
      case "int":
        return id === BuiltinId.INT;
      case "uint":
        return id === BuiltinId.UINT;
      case "float":
        return id === BuiltinId.FLOAT;
      case "string":
        return id === BuiltinId.STRING;
      case "bytes":
        return id === BuiltinId.BYTES;
      case "byte_array":
        return wire?.kind === "array" && wire.len === t.len && wire.elem === BuiltinId.UINT;
      case "array":
        return wire?.kind === "array" && wire.len === t.len &&
          this.#compatible(t.elem, wire.elem, depth + 1);
      case "slice":
        return wire?.kind === "slice" && this.#compatible(t.elem, wire.elem, depth + 1);
      case "struct":
        if (wire?.kind !== "struct") return false;
        this.#structPlan(t, id, depth);
        return true;
      case "external":
        return wire?.kind === "external" && wire.marshaler === t.marshaler;
    }
  }

  #structPlan(t: StructType<unknown>, id: number, depth: number): StructPlan {
    let byId = this.#plans.get(t);
    const cached = byId?.get(id);
    if (cached) return cached;
    const wire = this.#types.get(id);
    if (wire?.kind !== "struct") {
      throw new GobError(
        `gob: type mismatch: want struct type ${t.goString}, got ${this.#typeName(id)}`,
        "type_mismatch",
      );
    }
    const plan: StructPlan = { wire, local: new Int32Array(wire.fields.length), matched: 0 };
    for (let i = 0; i < wire.fields.length; i++) {
      const wf = wire.fields[i];
      const j = t.fieldIndex.get(wf.name) ?? -1;
      plan.local[i] = j;
      if (j < 0) continue;
      if (!this.#compatible(t.fields[j].type, wf.id, depth + 1)) {
        throw new GobError(
          `gob: wrong type (${
            t.fields[j].type.goString
          }) for received field ${wire.name}.${wf.name}`,
          "type_mismatch",
        );
      }
      plan.matched++;
    }
    if (!byId) this.#plans.set(t, byId = new Map());
    byId.set(id, plan);
    return plan;
  }

  #decodeStruct(t: StructType<unknown>, plan: StructPlan, r: GobReader, depth: number) {
    this.#depth(depth);
    const obj = zeroValue(t) as Record<string, unknown>;
    const { wire, local } = plan;
    readStructFields(r, wire.fields.length, (i) => {
      const j = local[i];
      if (j < 0) this.#skip(wire.fields[i].id, r, depth + 1);
      else {
        const f = t.fields[j];
        obj[f.name] = this.#decode(f.type, wire.fields[i].id, r, depth + 1);
      }
    });
    return obj;
  }

  // Decode a value already known to be compatible.
  #decode(t: AnyGobType, id: number, r: GobReader, depth: number): unknown {
    switch (t.kind) {
      case "bool":
        return r.uintBig() !== 0n;
      case "int":
        // Up to 32 bits a safe-integer read is exact (larger wire values fail either way).
        return t.bits === 64 ? r.intBig() : checkSmall(t.goString, r.int(), t.bits, true);
      case "uint":
        return t.bits === 64 ? r.uintBig() : checkSmall(t.goString, r.uint(), t.bits, false);
      case "float": {
        const f = r.float();
        if (t.bits === 32 && Math.abs(f) > 3.4028234663852886e38 && Number.isFinite(f)) {
          throw new GobError(`value for "${t.goString}" out of range`, "type_mismatch");
        }
        return f;
      }
      case "string":
        return readString(r, "string");
      case "bytes":
        return r.view(r.count("bytes")).slice();
      case "external": {
        const data = r.view(r.count(t.goString)).slice();
        try {
          return t.decode(data);
        } catch (e) {
          throw new GobError(`gob: ${t.goString}: ${(e as Error).message ?? e}`);
        }
      }
      case "struct":
        return this.#decodeStruct(t, this.#structPlan(t, id, depth), r, depth);
    }
    this.#depth(depth);
    const wire = this.#types.get(id) as Extract<WireType, { kind: "array" | "slice" }>;
    const n = r.count(t.kind);
    if (t.kind !== "slice" && n !== t.len) {
      throw new GobError(`gob: length mismatch in decodeArray: ${n} != ${t.len}`);
    }
    if (t.kind === "byte_array") {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = checkSmall("uint8", r.uint(), 8, false);
      return out;
    }
    const out = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.#decode(t.elem, wire.elem, r, depth + 1);
    return out;
  }

  // Step over a value of wire type `id` (Go's ignore ops).
  #skip(id: number, r: GobReader, depth: number): void {
    this.#depth(depth);
    switch (id) {
      case BuiltinId.BOOL:
      case BuiltinId.INT:
      case BuiltinId.UINT:
      case BuiltinId.FLOAT:
        return r.skipUint();
      case BuiltinId.BYTES:
      case BuiltinId.STRING:
        r.view(r.count("bytes"));
        return;
      case BuiltinId.COMPLEX:
        r.skipUint();
        return r.skipUint();
      case BuiltinId.INTERFACE:
        return this.#skipInterface(r);
    }
    const wire = this.#types.get(id);
    if (!wire) throw new GobError(`gob: bad data: undefined type ${id}`);
    switch (wire.kind) {
      case "array":
      case "slice": {
        const n = r.count(wire.kind);
        if (wire.kind === "array" && n !== wire.len) {
          throw new GobError("gob: length mismatch in ignoreArray");
        }
        for (let i = 0; i < n; i++) this.#skip(wire.elem, r, depth + 1);
        return;
      }
      case "map": {
        const n = r.count("map");
        for (let i = 0; i < n; i++) {
          this.#skip(wire.key, r, depth + 1);
          this.#skip(wire.elem, r, depth + 1);
        }
        return;
      }
      case "struct":
        return readStructFields(r, wire.fields.length, (i) => {
          this.#skip(wire.fields[i].id, r, depth + 1);
        });
      case "external":
        r.view(r.count(wire.name));
        return;
    }
  }

  // An interface value: type name, then (if not nil) any type definitions made inline, the
  // concrete type id and a length-delimited value.
  #skipInterface(r: GobReader): void {
    const nameLen = r.count("interface type name");
    if (nameLen === 0) return;
    r.view(nameLen);
    for (;;) {
      if (r.remaining() === 0) throw new GobError("gob: truncated interface value");
      const id = r.int();
      if (id >= 0) break;
      this.#define(-id, r);
      if (r.remaining() > 0) r.skipUint();
    }
    r.view(r.count("interface value"));
  }
}

function checkSmall(name: string, v: number, bits: number, signed: boolean): number {
  const limit = 2 ** (signed ? bits - 1 : bits);
  if (signed ? v < -limit || v >= limit : v >= limit) {
    throw new GobError(`value for "${name}" out of range`, "type_mismatch");
  }
  return v;
}

/** Decode one value written by a fresh Go encoder (type definitions included). */
export function decodeGob<T>(type: GobType<T>, bytes: Uint8Array, options?: GobDecoderOptions): T {
  return new GobDecoder(options).decodeFrom(type, bytes).value;
}
