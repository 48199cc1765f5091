import type { AnyGobType, GobType } from "./go_type.ts";
import { BuiltinId, FIRST_USER_ID, type WireType } from "./_wire_type.ts";

/** Options for {@linkcode GobTypeRegistry}. */
export interface GobTypeRegistryOptions {
  /**
   * The first id handed out. Go before 1.21 (and Go's own gob documentation) starts at 65;
   * Go 1.21 and later start at 64. Default 65, which the 2023 dmsg vectors show.
   */
  firstTypeId?: number;
}

/**
 * The table that gives each described type its gob type id and wire name, as Go's
 * process-wide gob type table does: ids are handed out in the order Go's `encoding/gob`
 * hands them out (a struct before its fields, an array/slice after its element), and a type
 * keeps the name it got the first time it was seen. Share one registry between encoders to
 * reproduce the ids of one Go process; a fresh one per connection is what a fresh Go
 * process would send.
 */
export class GobTypeRegistry {
  #nextId: number;
  readonly #types = new Map<AnyGobType, WireType>();

  /** Create an empty table. */
  constructor(options: GobTypeRegistryOptions = {}) {
    this.#nextId = options.firstTypeId ?? FIRST_USER_ID + 1;
  }

  /** The type id of `type`, assigning ids to it and everything inside it on first use. */
  idOf(type: GobType<unknown>): number {
    const t = type as AnyGobType;
    // At top level Go names a type by reflect's Name(), "" for unnamed types.
    return this.#register(t, t.name);
  }

  /** The definition sent for `type`, or undefined for built-in types and unseen ones. */
  definitionOf(type: GobType<unknown>): WireType | undefined {
    return this.#types.get(type as AnyGobType);
  }

  #register(t: AnyGobType, name: string): number {
    switch (t.kind) {
      case "bool":
        return BuiltinId.BOOL;
      case "int":
        return BuiltinId.INT;
      case "uint":
        return BuiltinId.UINT;
      case "float":
        return BuiltinId.FLOAT;
      case "string":
        return BuiltinId.STRING;
      case "bytes":
        return BuiltinId.BYTES;
    }
    const known = this.#types.get(t);
    if (known) return known.id;
    switch (t.kind) {
      case "external": {
        const def: WireType = {
          kind: "external",
          marshaler: t.marshaler,
          name,
          id: this.#nextId++,
        };
        this.#types.set(t, def);
        return def.id;
      }
      case "struct": {
        // A struct takes its id before its fields do.
        const def: WireType = { kind: "struct", name, id: this.#nextId++, fields: [] };
        this.#types.set(t, def);
        for (const f of t.fields) {
          // A field's type is named by Name(), or String() when unnamed.
          const id = this.#register(f.type, f.type.name || f.type.goString);
          def.fields.push({ name: f.name, id });
        }
        return def.id;
      }
      case "byte_array":
      case "array": {
        // Array elements are always registered without a name; the array's id comes after.
        const elem = t.kind === "array" ? this.#register(t.elem, "") : BuiltinId.UINT;
        const def: WireType = { kind: "array", name, id: this.#nextId++, elem, len: t.len };
        this.#types.set(t, def);
        return def.id;
      }
      case "slice": {
        const elem = this.#register(t.elem, t.elem.name);
        const def: WireType = { kind: "slice", name, id: this.#nextId++, elem };
        this.#types.set(t, def);
        return def.id;
      }
    }
  }
}
