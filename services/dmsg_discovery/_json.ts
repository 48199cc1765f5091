import { JsonWriter } from "../../mod/dmsg/disc/mod.ts";

/** A JSON array of strings; `null` for Go's nil slice. */
export function stringArray(items: string[] | null): Uint8Array {
  if (items === null) return new TextEncoder().encode("null");
  const w = new JsonWriter();
  w.ascii("[");
  items.forEach((item, i) => {
    if (i > 0) w.ascii(",");
    w.string(item);
  });
  w.ascii("]");
  return w.finish();
}

/** A JSON object from keys and values that are JSON already, in the given order. */
export function rawObject(members: Iterable<[string, Uint8Array]>): Uint8Array {
  const w = new JsonWriter();
  w.ascii("{");
  let first = true;
  for (const [key, value] of members) {
    if (!first) w.ascii(",");
    first = false;
    w.string(key);
    w.ascii(":");
    w.bytes(value);
  }
  w.ascii("}");
  return w.finish();
}
