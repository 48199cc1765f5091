// Type descriptors as gob sends them: a `wireType` struct with one of seven pointer fields set
// (array, slice, struct, map, GobEncoder, BinaryMarshaler, TextMarshaler), each holding an
// embedded `CommonType{Name, Id}` and its own fields. The field numbers below are fixed by Go's
// bootstrap types.
import { GobError } from "./errors.ts";
import type { Marshaler } from "./go_type.ts";
import type { GobReader, GobWriter } from "./_wire.ts";

/** Built-in type ids every gob peer knows. */
export const BuiltinId = {
  /** bool */
  BOOL: 1,
  /** signed integers */
  INT: 2,
  /** unsigned integers */
  UINT: 3,
  /** floats */
  FLOAT: 4,
  /** []byte */
  BYTES: 5,
  /** string */
  STRING: 6,
  /** complex numbers (two floats) */
  COMPLEX: 7,
  /** interface values */
  INTERFACE: 8,
} as const;

/** Lowest id a peer may define (Go's `firstUserId`). */
export const FIRST_USER_ID = 64;

/** A type definition: what `(-id, wireType)` carries. */
export type WireType =
  | { kind: "array"; name: string; id: number; elem: number; len: number }
  | { kind: "slice"; name: string; id: number; elem: number }
  | { kind: "struct"; name: string; id: number; fields: WireField[] }
  | { kind: "map"; name: string; id: number; key: number; elem: number }
  | { kind: "external"; marshaler: Marshaler; name: string; id: number };

/** One field of a wire struct. */
export interface WireField {
  /** Go field name. */
  name: string;
  /** Its type id. */
  id: number;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

// wireType's field numbers (declaration order of its pointer fields).
const VARIANT_FIELD = { array: 0, slice: 1, struct: 2, map: 3 } as const;
const MARSHALER_FIELD: Record<Marshaler, number> = { gob: 4, binary: 5, text: 6 };
const FIELD_MARSHALER: Marshaler[] = ["gob", "binary", "text"];

/** Write the string form gob uses: length then bytes. */
export function writeString(w: GobWriter, s: string): void {
  const bytes = textEncoder.encode(s);
  w.uint(bytes.length);
  w.raw(bytes);
}

/** Read a gob string. */
export function readString(r: GobReader, what: string): string {
  return textDecoder.decode(r.view(r.count(what)));
}

// CommonType{Name, Id}: a zero Name is omitted, so Id's delta is then 2.
function writeCommon(w: GobWriter, name: string, id: number): void {
  w.uint(1); // field 0 of the enclosing type: the embedded CommonType
  if (name !== "") {
    w.uint(1);
    writeString(w, name);
  }
  w.uint(name !== "" ? 1 : 2);
  w.int(id);
  w.byte(0);
}

/** Encode the `wireType` value describing `t` (the message body after `-id`). */
export function writeWireType(w: GobWriter, t: WireType): void {
  const variant = t.kind === "external" ? MARSHALER_FIELD[t.marshaler] : VARIANT_FIELD[t.kind];
  w.uint(variant + 1);
  writeCommon(w, t.name, t.id);
  switch (t.kind) {
    case "array":
      w.uint(1);
      w.int(t.elem);
      if (t.len !== 0) {
        w.uint(1);
        w.int(t.len);
      }
      break;
    case "slice":
      w.uint(1);
      w.int(t.elem);
      break;
    case "struct":
      if (t.fields.length > 0) {
        w.uint(1);
        w.uint(t.fields.length);
        for (const f of t.fields) {
          if (f.name !== "") {
            w.uint(1);
            writeString(w, f.name);
          }
          w.uint(f.name !== "" ? 1 : 2);
          w.int(f.id);
          w.byte(0);
        }
      }
      break;
    case "map":
      w.uint(1);
      w.int(t.key);
      w.uint(1);
      w.int(t.elem);
      break;
  }
  w.byte(0); // end of the inner type
  w.byte(0); // end of wireType
}

/** Walk a struct value's (delta, field) pairs; `onField` must consume the field's value. */
export function readStructFields(
  r: GobReader,
  numFields: number,
  onField: (field: number) => void,
): void {
  let field = -1;
  for (;;) {
    const delta = r.uint();
    if (delta === 0) return;
    field += delta;
    if (field >= numFields) throw new GobError("gob: bad data: field numbers out of bounds");
    onField(field);
  }
}

function readTypeId(r: GobReader): number {
  const id = r.int();
  if (id <= 0 || id > 0x7fff_ffff) throw new GobError(`gob: bad type id ${id} in type definition`);
  return id;
}

/** Decode a `wireType` value for the type being defined as `id`. */
export function readWireType(r: GobReader, id: number): WireType {
  let result: WireType | undefined;
  readStructFields(r, 7, (variant) => {
    if (result !== undefined) throw new GobError("gob: type definition sets two kinds");
    let name = "";
    let elem = 0, key = 0, len = 0;
    const fields: WireField[] = [];
    const common = () =>
      readStructFields(r, 2, (f) => {
        if (f === 0) name = readString(r, "type name");
        else r.int(); // the id repeated inside the type; the message's id is authoritative
      });
    switch (variant) {
      case 0: // arrayType{CommonType, Elem, Len}
        readStructFields(r, 3, (f) => {
          if (f === 0) common();
          else if (f === 1) elem = readTypeId(r);
          else len = r.int();
        });
        if (elem === 0 || len < 0) throw new GobError("gob: bad array type definition");
        result = { kind: "array", name, id, elem, len };
        break;
      case 1: // sliceType{CommonType, Elem}
        readStructFields(r, 2, (f) => f === 0 ? common() : elem = readTypeId(r));
        if (elem === 0) throw new GobError("gob: bad slice type definition");
        result = { kind: "slice", name, id, elem };
        break;
      case 2: // structType{CommonType, Field []fieldType}
        readStructFields(r, 2, (f) => {
          if (f === 0) return common();
          const n = r.count("struct field list");
          for (let i = 0; i < n; i++) {
            const field: WireField = { name: "", id: 0 };
            readStructFields(r, 2, (ff) => {
              if (ff === 0) field.name = readString(r, "field name");
              else field.id = readTypeId(r);
            });
            if (field.id === 0) throw new GobError("gob: struct field without a type");
            fields.push(field);
          }
        });
        result = { kind: "struct", name, id, fields };
        break;
      case 3: // mapType{CommonType, Key, Elem}
        readStructFields(r, 3, (f) => {
          if (f === 0) common();
          else if (f === 1) key = readTypeId(r);
          else elem = readTypeId(r);
        });
        if (key === 0 || elem === 0) throw new GobError("gob: bad map type definition");
        result = { kind: "map", name, id, key, elem };
        break;
      default: // gobEncoderType{CommonType} for the three marshaler kinds
        readStructFields(r, 1, () => common());
        result = { kind: "external", marshaler: FIELD_MARSHALER[variant - 4], name, id };
    }
  });
  if (result === undefined) throw new GobError("gob: empty type definition");
  return result;
}
