import { GobError } from "./errors.ts";

/** The kinds of Go type the codec can describe. */
export type GobKind =
  | "bool"
  | "int"
  | "uint"
  | "float"
  | "string"
  | "bytes"
  | "byte_array"
  | "array"
  | "slice"
  | "struct"
  | "external";

/**
 * A description of a Go type, carrying the TypeScript type `T` of its values. Build them with
 * {@linkcode go}; use one object per Go type (identity is the type's identity, as a
 * `reflect.Type` is in Go).
 */
export interface GobType<T> {
  /** Which kind of Go type. */
  readonly kind: GobKind;
  /** Go's `reflect.Type.Name()`: the bare name of a named type, `""` for unnamed ones. */
  readonly name: string;
  /** Go's `reflect.Type.String()`, e.g. `routing.RouteID`, `[]routing.Hop`. */
  readonly goString: string;
  /** Type-level marker for the value type; never set at run time. */
  readonly __value?: T;
}

/** The TypeScript value type of a {@linkcode GobType}. */
export type GoValue<G> = G extends GobType<infer T> ? T : never;

/** `bool`. Values: `boolean`. */
export interface BoolType extends GobType<boolean> {
  /** Discriminant. */
  readonly kind: "bool";
}

/** Signed integers. Values: `number` for 8–32 bits, `bigint` for 64 bits (Go `int` included). */
export interface IntType<T extends number | bigint> extends GobType<T> {
  /** Discriminant. */
  readonly kind: "int";
  /** Width in bits; decoded values must fit. */
  readonly bits: 8 | 16 | 32 | 64;
}

/** Unsigned integers. Values: `number` for 8–32 bits, `bigint` for 64 bits. */
export interface UintType<T extends number | bigint> extends GobType<T> {
  /** Discriminant. */
  readonly kind: "uint";
  /** Width in bits; decoded values must fit. */
  readonly bits: 8 | 16 | 32 | 64;
}

/** `float64` / `float32`. Values: `number`. */
export interface FloatType extends GobType<number> {
  /** Discriminant. */
  readonly kind: "float";
  /** Width in bits. */
  readonly bits: 32 | 64;
}

/** `string`. Values: `string` (UTF-8 on the wire). */
export interface StringType extends GobType<string> {
  /** Discriminant. */
  readonly kind: "string";
}

/** `[]byte` and named byte slices. Values: `Uint8Array`. */
export interface BytesType extends GobType<Uint8Array> {
  /** Discriminant. */
  readonly kind: "bytes";
}

/** `[N]byte` and named byte arrays (sent element by element). Values: `Uint8Array` of `len`. */
export interface ByteArrayType extends GobType<Uint8Array> {
  /** Discriminant. */
  readonly kind: "byte_array";
  /** The array length N. */
  readonly len: number;
}

/** `[N]E`. Values: arrays of exactly `len` elements. */
export interface ArrayType<T> extends GobType<T[]> {
  /** Discriminant. */
  readonly kind: "array";
  /** Element type. */
  readonly elem: AnyGobType;
  /** The array length N. */
  readonly len: number;
}

/** `[]E` (E not a byte). Values: arrays. A nil slice decodes as `[]`. */
export interface SliceType<T> extends GobType<T[]> {
  /** Discriminant. */
  readonly kind: "slice";
  /** Element type. */
  readonly elem: AnyGobType;
}

/** One exported struct field, in Go declaration order. */
export interface StructField {
  /** The Go field name (also the key in the TypeScript object). */
  readonly name: string;
  /** The field's type. */
  readonly type: AnyGobType;
}

/** A struct. Values: objects keyed by the Go field names. */
export interface StructType<T> extends GobType<T> {
  /** Discriminant. */
  readonly kind: "struct";
  /** Exported fields in declaration order. */
  readonly fields: readonly StructField[];
  /** Field position by name. */
  readonly fieldIndex: ReadonlyMap<string, number>;
}

/**
 * Which Go interface a type encodes itself through: `GobEncode`, else `MarshalBinary`. (gob
 * never uses `MarshalText` when encoding, though a wire type may in principle say so.)
 */
export type Marshaler = "gob" | "binary" | "text";

/**
 * A type that encodes itself (GobEncoder or BinaryMarshaler): sent as opaque length-prefixed
 * bytes, described on the wire by name only.
 */
export interface ExternalType<T> extends GobType<T> {
  /** Discriminant. */
  readonly kind: "external";
  /** The interface Go uses for it; must match between peers. */
  readonly marshaler: Marshaler;
  /** The opaque bytes for a value. */
  encode(value: T): Uint8Array;
  /** A value from opaque bytes; may throw on bad bytes. */
  decode(bytes: Uint8Array): T;
  /** Go's `reflect.Value.IsZero` of the value: zero values are omitted from structs. */
  isZero(value: T): boolean;
  /** The zero value, used for fields missing from the wire. */
  zero(): T;
}

/** Any description (the union the codec switches on). */
export type AnyGobType =
  | BoolType
  | IntType<number | bigint>
  | UintType<number | bigint>
  | FloatType
  | StringType
  | BytesType
  | ByteArrayType
  // deno-lint-ignore no-explicit-any
  | ArrayType<any>
  // deno-lint-ignore no-explicit-any
  | SliceType<any>
  // deno-lint-ignore no-explicit-any
  | StructType<any>
  // deno-lint-ignore no-explicit-any
  | ExternalType<any>;

/** Options for {@linkcode go.external}. */
export interface ExternalOptions<T> {
  /** The interface Go uses: `gob` for `GobEncode`, else `binary` for `MarshalBinary`. */
  marshaler: "gob" | "binary";
  /** The opaque bytes for a value. */
  encode(value: T): Uint8Array;
  /** A value from opaque bytes; may throw on bad bytes (reported as a `GobError`). */
  decode(bytes: Uint8Array): T;
  /** Whether the value is Go's zero value (omitted from structs). */
  isZero(value: T): boolean;
  /** The zero value. */
  zero(): T;
}

// Split "pkg.Name" into Go's Name() and String().
function qualified(qualifiedName: string): { name: string; goString: string } {
  const dot = qualifiedName.lastIndexOf(".");
  return { name: qualifiedName.slice(dot + 1), goString: qualifiedName };
}

function basic<G extends AnyGobType>(type: G): G {
  return Object.freeze(type);
}

function makeStruct<F extends Record<string, GobType<unknown>>>(
  qualifiedName: string,
  fields: F,
): StructType<{ [K in keyof F]: GoValue<F[K]> }> {
  const list: StructField[] = [];
  const fieldIndex = new Map<string, number>();
  for (const [name, type] of Object.entries(fields)) {
    // Go sends exported fields only; an unexported one here would be a description bug.
    if (!/^\p{Lu}/u.test(name)) {
      throw new GobError(`struct field ${name} is not exported`, "invalid_value");
    }
    fieldIndex.set(name, list.length);
    list.push({ name, type: type as AnyGobType });
  }
  const unnamed = list.length === 0
    ? "struct {}"
    : `struct { ${list.map((f) => `${f.name} ${f.type.goString}`).join("; ")} }`;
  const names = qualifiedName === "" ? { name: "", goString: unnamed } : qualified(qualifiedName);
  return Object.freeze({ kind: "struct", ...names, fields: list, fieldIndex });
}

function checkElem(elem: GobType<unknown>, what: string): AnyGobType {
  const e = elem as AnyGobType;
  if (e.kind === "uint" && e.bits === 8) {
    throw new GobError(
      `${what} of uint8: use go.bytes / go.byteArray (Go treats them specially)`,
      "invalid_value",
    );
  }
  return e;
}

/** The basic types a named type may be built on with {@linkcode GoTypeBuilders.named}. */
export type NamedBase =
  | BoolType
  | IntType<number | bigint>
  | UintType<number | bigint>
  | FloatType
  | StringType
  | BytesType;

/** The shape of {@linkcode go}. */
export interface GoTypeBuilders {
  /** `bool` */
  readonly bool: BoolType;
  /** `int8` */
  readonly int8: IntType<number>;
  /** `int16` */
  readonly int16: IntType<number>;
  /** `int32` */
  readonly int32: IntType<number>;
  /** `int64` (bigint) */
  readonly int64: IntType<bigint>;
  /** `int` on 64-bit Go (bigint) */
  readonly int: IntType<bigint>;
  /** `uint8` as a scalar */
  readonly uint8: UintType<number>;
  /** `uint16` */
  readonly uint16: UintType<number>;
  /** `uint32` */
  readonly uint32: UintType<number>;
  /** `uint64` (bigint) */
  readonly uint64: UintType<bigint>;
  /** `uint` on 64-bit Go (bigint) */
  readonly uint: UintType<bigint>;
  /** `float64` */
  readonly float64: FloatType;
  /** `float32` */
  readonly float32: FloatType;
  /** `string` */
  readonly string: StringType;
  /** `[]byte` */
  readonly bytes: BytesType;
  /** A named type over a basic one or `[]byte`, e.g. `named("routing.RouteID", go.uint32)`. */
  named<G extends NamedBase>(qualifiedName: string, base: G): G;
  /** `[N]byte`, or a named byte array such as `cipher.SHA256`. */
  byteArray(len: number, qualifiedName?: string): ByteArrayType;
  /** `[N]E` for a non-byte element. */
  array<T>(elem: GobType<T>, len: number, qualifiedName?: string): ArrayType<T>;
  /** `[]E` for a non-byte element. */
  slice<T>(elem: GobType<T>, qualifiedName?: string): SliceType<T>;
  /** A struct; fields in Go declaration order (object key order); `""` names `struct{...}`. */
  struct<F extends Record<string, GobType<unknown>>>(
    qualifiedName: string,
    fields: F,
  ): StructType<{ [K in keyof F]: GoValue<F[K]> }>;
  /** A type with `GobEncode` or `MarshalBinary`, e.g. `cipher.PubKey`. */
  external<T>(qualifiedName: string, options: ExternalOptions<T>): ExternalType<T>;
}

/**
 * Builders for Go type descriptions. Named types take their qualified Go name
 * (`"routing.RouteID"`), which gob puts on the wire as the bare name (`RouteID`).
 */
export const go: GoTypeBuilders = Object.freeze({
  /** `bool` */
  bool: basic<BoolType>({ kind: "bool", name: "bool", goString: "bool" }),
  /** `int8` */
  int8: basic<IntType<number>>({ kind: "int", bits: 8, name: "int8", goString: "int8" }),
  /** `int16` */
  int16: basic<IntType<number>>({ kind: "int", bits: 16, name: "int16", goString: "int16" }),
  /** `int32` */
  int32: basic<IntType<number>>({ kind: "int", bits: 32, name: "int32", goString: "int32" }),
  /** `int64` (bigint) */
  int64: basic<IntType<bigint>>({ kind: "int", bits: 64, name: "int64", goString: "int64" }),
  /** `int` on 64-bit Go (bigint) */
  int: basic<IntType<bigint>>({ kind: "int", bits: 64, name: "int", goString: "int" }),
  /** `uint8` (as a scalar; byte slices and arrays have their own builders) */
  uint8: basic<UintType<number>>({ kind: "uint", bits: 8, name: "uint8", goString: "uint8" }),
  /** `uint16` */
  uint16: basic<UintType<number>>({ kind: "uint", bits: 16, name: "uint16", goString: "uint16" }),
  /** `uint32` */
  uint32: basic<UintType<number>>({ kind: "uint", bits: 32, name: "uint32", goString: "uint32" }),
  /** `uint64` (bigint) */
  uint64: basic<UintType<bigint>>({ kind: "uint", bits: 64, name: "uint64", goString: "uint64" }),
  /** `uint` on 64-bit Go (bigint) */
  uint: basic<UintType<bigint>>({ kind: "uint", bits: 64, name: "uint", goString: "uint" }),
  /** `float64` */
  float64: basic<FloatType>({ kind: "float", bits: 64, name: "float64", goString: "float64" }),
  /** `float32` */
  float32: basic<FloatType>({ kind: "float", bits: 32, name: "float32", goString: "float32" }),
  /** `string` */
  string: basic<StringType>({ kind: "string", name: "string", goString: "string" }),
  /** `[]byte` */
  bytes: basic<BytesType>({ kind: "bytes", name: "", goString: "[]uint8" }),

  /** A named type over a basic one or over `[]byte`, e.g. `named("routing.RouteID", go.uint32)`. */
  named<
    G extends
      | BoolType
      | IntType<number | bigint>
      | UintType<number | bigint>
      | FloatType
      | StringType
      | BytesType,
  >(
    qualifiedName: string,
    base: G,
  ): G {
    return Object.freeze({ ...base, ...qualified(qualifiedName) }) as unknown as G;
  },

  /** `[N]byte`, or a named byte array such as `cipher.SHA256`. */
  byteArray(len: number, qualifiedName?: string): ByteArrayType {
    const names = qualifiedName
      ? qualified(qualifiedName)
      : { name: "", goString: `[${len}]uint8` };
    return Object.freeze({ kind: "byte_array", len, ...names });
  },

  /** `[N]E` for a non-byte element. */
  array<T>(elem: GobType<T>, len: number, qualifiedName?: string): ArrayType<T> {
    const e = checkElem(elem, "array");
    const names = qualifiedName
      ? qualified(qualifiedName)
      : { name: "", goString: `[${len}]${e.goString}` };
    return Object.freeze({ kind: "array", elem: e, len, ...names });
  },

  /** `[]E` for a non-byte element. */
  slice<T>(elem: GobType<T>, qualifiedName?: string): SliceType<T> {
    const e = checkElem(elem, "slice");
    const names = qualifiedName
      ? qualified(qualifiedName)
      : { name: "", goString: `[]${e.goString}` };
    return Object.freeze({ kind: "slice", elem: e, ...names });
  },

  /**
   * A struct with its exported fields in Go declaration order (object key order). Pass `""` as
   * the name for an unnamed struct such as net/rpc's `struct{}`.
   */
  struct: makeStruct,

  /** A type with `GobEncode` or `MarshalBinary`, e.g. `cipher.PubKey`. */
  external<T>(qualifiedName: string, options: ExternalOptions<T>): ExternalType<T> {
    return Object.freeze({ kind: "external", ...qualified(qualifiedName), ...options });
  },
});
