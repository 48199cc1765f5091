import { assertEquals, assertThrows } from "@std/assert";
import { bytesToHex, hexToBytes } from "../../../mod/cipher/mod.ts";
import {
  decodeGob,
  encodeGob,
  go,
  GobDecoder,
  GobEncoder,
  GobError,
  GobTypeRegistry,
} from "../../../mod/gob/mod.ts";

const Point = go.struct("main.Point", { X: go.int, Y: go.int });

Deno.test("encodeGob reproduces the Point example of Go's gob documentation", () => {
  // doc.go: type Point struct{X, Y int}; Point{22, 33}, first type id 65.
  const bytes = encodeGob(Point, { X: 22n, Y: 33n });
  assertEquals(
    bytesToHex(bytes),
    "1fff8103010105506f696e7401ff820001020101580104000101590104000000" + "07ff82012c014200",
  );
  assertEquals(decodeGob(Point, bytes), { X: 22n, Y: 33n });
});

Deno.test("a stream encoder sends a type definition once", () => {
  const enc = new GobEncoder();
  const first = enc.encode(Point, { X: 22n, Y: 33n });
  const second = enc.encode(Point, { X: 22n, Y: 33n });
  assertEquals(first.length, 40);
  assertEquals(bytesToHex(second), "07ff82012c014200");
});

Deno.test("Go 1.21+ ids start at 64 with firstTypeId", () => {
  const bytes = encodeGob(Point, { X: 22n, Y: 33n }, {
    registry: new GobTypeRegistry({ firstTypeId: 64 }),
  });
  // What Go 1.26 prints for the same value.
  assertEquals(
    bytesToHex(bytes),
    "1e7f03010105506f696e7401ff80000102010158010400010159010400000007ff80012c014200",
  );
});

Deno.test("singleton values carry delta 0 and are sent even when zero", () => {
  // doc.go: int 3 at top level is 03 04 00 06.
  assertEquals(bytesToHex(encodeGob(go.int64, 3n)), "03040006");
  assertEquals(bytesToHex(encodeGob(go.bool, false)), "03020000");
  assertEquals(bytesToHex(encodeGob(go.string, "")), "030c0000");
  assertEquals(decodeGob(go.int64, hexToBytes("03040006")), 3n);
});

Deno.test("uint, int and float encodings match the documented examples", () => {
  const u = (n: bigint) => bytesToHex(encodeGob(go.uint64, n)).slice(6);
  assertEquals(u(0n), "00");
  assertEquals(u(7n), "07");
  assertEquals(u(256n), "fe0100");
  assertEquals(u(0xffff_ffff_ffff_ffffn), "f8ffffffffffffffff");
  const i = (n: bigint) => bytesToHex(encodeGob(go.int64, n)).slice(6);
  assertEquals(i(-129n), "fe0101");
  assertEquals(i(-(1n << 63n)), "f8ffffffffffffffff");
  assertEquals(i((1n << 63n) - 1n), "f8fffffffffffffffe");
  const f = (x: number) => bytesToHex(encodeGob(go.float64, x)).slice(6);
  assertEquals(f(17), "fe3140");
  assertEquals(f(0), "00");
  for (const x of [17, -0.1, 1e-300, 6.02e23, Infinity]) {
    assertEquals(decodeGob(go.float64, encodeGob(go.float64, x)), x);
  }
  for (const x of [0n, 1n, 127n, 128n, 1n << 53n, 0xffff_ffff_ffff_ffffn]) {
    assertEquals(decodeGob(go.uint64, encodeGob(go.uint64, x)), x);
  }
  for (const x of [0n, -1n, 64n, -65n, -(1n << 63n), (1n << 63n) - 1n]) {
    assertEquals(decodeGob(go.int64, encodeGob(go.int64, x)), x);
  }
});

Deno.test("zero-valued struct fields are omitted, nested structs and arrays are not", () => {
  const Inner = go.struct("p.Inner", { A: go.uint16 });
  const Outer = go.struct("p.Outer", {
    N: go.int64,
    S: go.string,
    B: go.bytes,
    L: go.slice(go.int32),
    I: Inner,
    H: go.byteArray(2),
    F: go.float64,
    T: go.bool,
  });
  const registry = new GobTypeRegistry();
  const zero = { N: 0n, S: "", B: new Uint8Array(), L: [], I: { A: 0 }, H: new Uint8Array(2) };
  const bytes = encodeGob(Outer, { ...zero, F: 0, T: false }, { registry });
  const enc = new GobEncoder({ registry });
  // After the definitions: struct id, then field I (delta 5) as an empty struct, field H
  // (delta 1) as a 2-element array, end.
  const value = enc.encode(Outer, { ...zero, F: -0, T: false }).subarray(-10);
  assertEquals(bytesToHex(value), "09ff82050001020000" + "00");
  assertEquals(decodeGob(Outer, bytes), { ...zero, F: 0, T: false });
});

Deno.test("encoding a value that does not fit its type throws GobError and sends nothing", () => {
  const enc = new GobEncoder();
  assertThrows(() => enc.encode(go.uint8, 256), GobError);
  assertThrows(() => enc.encode(go.int16, 1.5), GobError);
  assertThrows(() => enc.encode(go.uint64, -1n), GobError);
  assertThrows(() => enc.encode(go.int64, 1n << 63n), GobError);
  assertThrows(() => enc.encode(go.byteArray(4), new Uint8Array(3)), GobError);
  assertThrows(() => enc.encode(Point, { X: "1", Y: 2n } as never), GobError);
  // The failed Point must not count as sent: its definition comes with the next one.
  assertEquals(enc.encode(Point, { X: 22n, Y: 33n }).length, 40);
});

Deno.test("the decoder fills missing fields with zero values and skips unknown ones", () => {
  const Wide = go.struct("p.T", {
    A: go.int64,
    M: go.slice(go.struct("p.U", { Z: go.string, Q: go.array(go.uint16, 2) })),
    B: go.string,
    X: go.float64,
  });
  const Narrow = go.struct("p.T", { B: go.string, C: go.bool, A: go.int64 });
  const bytes = encodeGob(Wide, {
    A: -5n,
    M: [{ Z: "z", Q: [1, 2] }, { Z: "", Q: [0, 0] }],
    B: "b",
    X: 2.5,
  });
  assertEquals(decodeGob(Narrow, bytes), { B: "b", C: false, A: -5n });
});

Deno.test("type mismatches are reported as GobError type_mismatch", () => {
  const A = go.struct("p.A", { N: go.int64 });
  const B = go.struct("p.A", { N: go.uint64 });
  const e = assertThrows(() => decodeGob(B, encodeGob(A, { N: 1n })), GobError);
  assertEquals(e.code, "type_mismatch");
  const none = go.struct("p.A", { Other: go.int64 });
  assertThrows(() => decodeGob(none, encodeGob(A, { N: 1n })), GobError, "no fields matched");
  assertThrows(() => decodeGob(go.string, encodeGob(go.int64, 1n)), GobError);
  assertThrows(() => decodeGob(go.uint8, encodeGob(go.uint64, 256n)), GobError, "out of range");
});

Deno.test("the decoder skips unknown map, interface and complex fields", () => {
  // A hand-made struct {A int; M map[string]int; I interface{}; C complex128; B string}.
  const def = [
    "ff81", // -65
    "03", // StructT
    "01",
    "0101",
    "54",
    "01ff8200", // CommonType{Name "T", Id 65}
    "01",
    "05", // Field: 5 fields
    "01014101" + "0400", // A int
    "01014d01" + "ff8400", // M map (id 66)
    "01014901" + "1000", // I interface (id 8)
    "01014301" + "0e00", // C complex (id 7)
    "01014201" + "0c00", // B string
    "00",
    "00",
  ].join("");
  const mapDef = "ff83" + "04" + "01" + "02ff8400" + "010c" + "0104" + "00" + "00";
  const value = [
    "ff82",
    "0102", // A = 1
    "01" + "02" + "0161" + "02" + "0162" + "04", // M = {"a":1,"b":2}
    "01" + "03" + "616263" + "04" + "02" + "0000", // I = "abc" with id 2 and a 2-byte value
    "01" + "fe3140" + "00", // C = 17+0i
    "01" + "02" + "6869", // B = "hi"
    "00",
  ].join("");
  const msg = (hex: string) => {
    const b = hexToBytes(hex);
    return [b.length, ...b];
  };
  const bytes = Uint8Array.from([...msg(def), ...msg(mapDef), ...msg(value)]);
  const Local = go.struct("p.T", { A: go.int64, B: go.string });
  assertEquals(decodeGob(Local, bytes), { A: 1n, B: "hi" });
});

Deno.test("decoder limits: message size, nesting depth and type count", () => {
  const big = encodeGob(go.bytes, new Uint8Array(2000));
  assertThrows(() => decodeGob(go.bytes, big, { maxMessageSize: 1000 }), GobError, "exceeds");
  const Deep = go.slice(go.slice(go.slice(go.int64)));
  const deep = encodeGob(Deep, [[[1n]]]);
  assertEquals(decodeGob(Deep, deep), [[[1n]]]);
  const e = assertThrows(() => decodeGob(Deep, deep, { maxDepth: 1 }), GobError);
  assertEquals(e.code, "limit");
  const dec = new GobDecoder({ maxTypes: 2 });
  const three = encodeGob(go.struct("p.S", { A: go.struct("p.A", { B: Point }) }), {
    A: { B: { X: 1n, Y: 1n } },
  });
  assertThrows(() => dec.decodeFrom(go.int64, three), GobError, "type definitions");
  // A length prefix of 2^56 is refused before anything is allocated.
  assertThrows(() => decodeGob(go.bytes, hexToBytes("f90100000000000000")), GobError);
});

Deno.test("truncated input is reported as eof", () => {
  const bytes = encodeGob(Point, { X: 22n, Y: 33n });
  for (let n = 0; n < bytes.length; n++) {
    const e = assertThrows(() => decodeGob(Point, bytes.subarray(0, n)), GobError);
    assertEquals(e.code, "eof");
  }
});
